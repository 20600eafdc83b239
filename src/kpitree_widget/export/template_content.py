"""What each archetype's workshop notebook says: the words a teacher would otherwise write.

One :class:`Workshop` per archetype. Everything that varies by business model lives here (why
this North Star, the leaf for the what-if, the back-solve goal and lever, the quality metric to
add, the hypothesis to test first, the exercise prompts); :mod:`.templates` turns it into a
notebook with the same skeleton for every archetype.

In prose, ``[[metric_id]]`` names a metric of the archetype; the notebook shows it as the
metric's name with its id. The tests check that every id used here exists in the archetype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The five tests of a good North Star, in the order the notebook discusses them.
CRITERIA: dict[str, str] = {
    "customer_value": "Captures the value customers get",
    "predicts_revenue": "Predicts revenue",
    "single_metric": "One metric, not a blend",
    "stable": "Stable over years",
    "measurable": "Measurable from data you have",
}

METRIC_REF = re.compile(r"\[\[([a-z][a-z0-9_]*)\]\]")


@dataclass(frozen=True)
class WhatIf:
    """Change one leaf's target and watch the root: ``metric`` goes to ``target``."""

    metric: str
    target: float
    story: str


@dataclass(frozen=True)
class Solve:
    """Back-solve: the target ``lever`` needs for ``metric`` to reach ``goal``."""

    metric: str
    goal: float
    lever: str
    story: str


@dataclass(frozen=True)
class NewMetric:
    """A quality metric the class adds to the tree, linked to ``links_to`` by a hypothesis."""

    id: str
    name: str
    unit: str
    direction: str
    owner: str
    cadence: str
    lag_days: int
    value: float
    target: float
    links_to: str
    sign: str
    note: str


@dataclass(frozen=True)
class Workshop:
    """The archetype-specific content of one workshop notebook."""

    archetype: str
    title: str
    goal: str
    why: dict[str, str]
    alternatives: tuple[tuple[str, str], ...]
    what_if: WhatIf
    solve: Solve
    own_leaf: str
    quality_metric: NewMetric
    first_hypothesis: tuple[str, str]
    hypothesis_prompt: str
    exercises: tuple[str, ...] = field(default=())

    def texts(self) -> list[str]:
        """Every piece of prose, for rendering checks and for finding metric references."""
        out = [self.title, self.goal, *self.why.values(), self.what_if.story, self.solve.story,
               self.own_leaf, self.quality_metric.note, self.hypothesis_prompt, *self.exercises]
        for candidate, reason in self.alternatives:
            out += [candidate, reason]
        return out

    def metric_ids(self) -> set[str]:
        """Ids of the archetype's metrics this content relies on (the new metric excluded)."""
        ids = {self.what_if.metric, self.solve.metric, self.solve.lever,
               self.quality_metric.links_to, *self.first_hypothesis}
        for text in self.texts():
            ids.update(METRIC_REF.findall(text))
        return ids


WORKSHOPS: dict[str, Workshop] = {}


def _add(w: Workshop) -> None:
    WORKSHOPS[w.archetype] = w


# --------------------------------------------------------------------------------- B2B SaaS

_add(Workshop(
    archetype="b2b_saas",
    title="KPI tree workshop: B2B SaaS subscription",
    goal=(
        "A sales-led software company sells annual contracts. In this session you read its ARR "
        "tree from the top down, check that the math rolls up, move one leaf and watch ARR "
        "respond, work out the win rate a bigger goal needs, and decide which leaves belong in "
        "the weekly business review."
    ),
    why={
        "customer_value": (
            "A customer renews and adds seats only while the product keeps doing a job for them, "
            "so ARR counts kept and growing value, not just signatures."),
        "predicts_revenue": (
            "ARR is next year's subscription revenue booked ahead of time: with gross retention "
            "near 90%, most of it becomes recognised revenue over the next twelve months."),
        "single_metric": (
            "One dollar figure. New ARR and retained ARR sit *under* it as drivers, so nobody has "
            "to trade growth against retention in their head."),
        "stable": (
            "It survives launches, re-organisations and price changes; boards and investors "
            "have compared companies on it for years."),
        "measurable": (
            "It comes straight out of billing or the CRM every month, with no modelling."),
    },
    alternatives=(
        ("Net new ARR", "Only this year's growth: it ignores the base, so it is a level-1 "
         "driver (New ARR), not the root."),
        ("Active customers or seats", "A good choice when price follows seats or usage; here "
         "contracts are annual and priced per tier."),
        ("LTV/CAC", "An efficiency guardrail. It can improve while the company shrinks."),
    ),
    what_if=WhatIf(
        metric="gross_retention", target=0.93,
        story=(
            "Customer Success proposes a key result for the year: lift [[gross_retention]] from "
            "the planned 91% to 93%. What is two points of retention worth in ARR?"),
    ),
    solve=Solve(
        metric="arr", goal=16_000_000, lever="win_rate",
        story=(
            "The board asks for $16M of ARR at year end instead of the plan's $15.5M. Marketing "
            "cannot promise more leads this late in the year, so the question goes to the AE "
            "Manager: which [[win_rate]] would close the gap on its own?"),
    ),
    own_leaf=(
        "An SDR lead would take [[sql_to_opp_rate]]; a pricing lead [[list_acv]]; an "
        "onboarding lead [[activation_90d_rate]]."),
    quality_metric=NewMetric(
        id="support_tickets_per_100_accounts", name="Support tickets per 100 accounts",
        unit="count", direction="down", owner="Support Operations Lead", cadence="weekly",
        lag_days=7, value=31, target=25, links_to="gross_retention", sign="-",
        note="Accounts that keep filing tickets renew less often and downgrade more."),
    first_hypothesis=("activation_90d_rate", "gross_retention"),
    hypothesis_prompt=(
        "Three hypotheses point at [[gross_retention]]. Proving that [[activation_90d_rate]] "
        "drives renewals needs a year of renewal outcomes per activation cohort; "
        "[[time_to_first_value_days]] or [[in_product_csat]] give a read sooner. Which would "
        "you test first, with which data, and what result would make you turn it into a formula?"),
    exercises=(
        "[[discount_rate]] is a guard on [[new_arr]]: set its target to 8%, then to 20%. How far "
        "does ACV move? What does that say about closing deals on price?",
        "Find the inputs with `lag_days` of 90 or more in the rollup. [[starting_arr]] is one: "
        "why is it still an input, and who can actually move it within a quarter?",
    ),
))

# --------------------------------------------------------------------------------- B2B PLG

_add(Workshop(
    archetype="b2b_plg",
    title="KPI tree workshop: product-led B2B SaaS",
    goal=(
        "A self-serve collaboration tool grows by teams signing up, activating, paying and "
        "adding seats. You will follow weekly active users at paid workspaces down to the "
        "onboarding and engagement levers product teams own, test a what-if on activation, and "
        "back-solve the return rate a bigger goal needs."
    ),
    why={
        "customer_value": (
            "A user at a paying workspace who comes back every week is getting work done; "
            "idle seats do not count."),
        "predicts_revenue": (
            "Seats that are used get renewed and expanded; falling weekly use at paid "
            "workspaces shows up in churn a quarter or two later."),
        "single_metric": (
            "One count of people. Signups, activation, conversion and seat growth are its "
            "drivers, multiplied together below it."),
        "stable": (
            "It does not change definition when a feature ships or the pricing page is "
            "redesigned."),
        "measurable": (
            "Product analytics already logs weekly activity per user and billing knows which "
            "workspaces pay."),
    },
    alternatives=(
        ("Signups", "Top of the funnel only; easy to inflate with traffic that never activates."),
        ("Paid workspaces", "Counts logos, not use: a paid workspace nobody opens is a churn "
         "risk, not value."),
        ("MRR", "Follows the North Star with a lag; useful on the finance view of the same "
         "tree."),
    ),
    what_if=WhatIf(
        metric="workspace_activation_rate", target=0.42,
        story=(
            "The onboarding team believes a new setup checklist lifts "
            "[[workspace_activation_rate]] from 38% to 42%. How many weekly active paid users "
            "would that add by the end of the quarter?"),
    ),
    solve=Solve(
        metric="weekly_active_paid_users", goal=20_000, lever="weekly_return_rate",
        story=(
            "Leadership commits to 20,000 weekly active paid users this quarter. Growth spend is "
            "fixed, so the core product team asks: which [[weekly_return_rate]] gets us there?"),
    ),
    own_leaf=(
        "A growth marketer would take [[workspace_signups]]; a monetisation PM "
        "[[paid_conversion_rate]]; the core product PM [[weekly_return_rate]]."),
    quality_metric=NewMetric(
        id="first_week_csat", name="First-week CSAT", unit="percent", direction="up",
        owner="Onboarding Product Manager", cadence="weekly", lag_days=7, value=0.78,
        target=0.82, links_to="workspace_activation_rate", sign="+",
        note="New workspaces that rate their first week well activate more often."),
    first_hypothesis=("core_actions_week_one_rate", "weekly_return_rate"),
    hypothesis_prompt=(
        "The classic PLG claim is that users doing three core actions in their first week "
        "([[core_actions_week_one_rate]]) return about twice as often. Compare it with "
        "[[teammate_invite_week_one_rate]] → [[seat_expansion_rate]]. Which can you test "
        "in two weeks with the events you already log?"),
    exercises=(
        "[[price_per_seat_monthly]] is linked to [[paid_conversion_rate]] only by a hypothesis, "
        "so the sensitivity table shows it with no impact. What would the formula have to look "
        "like for price to move the North Star, and would you want it there?",
        "Every PLG guide lists 'time to first value' as a leaf. Where would it sit in this "
        "tree, and which metric would it replace or explain?",
    ),
))

# --------------------------------------------------------------------------- B2C subscription

_add(Workshop(
    archetype="b2c_subscription",
    title="KPI tree workshop: B2C subscription",
    goal=(
        "A consumer subscription app lives on the balance of people joining, leaving and coming "
        "back. You will read the net-adds tree, see how a churn improvement compares with more "
        "acquisition, and back-solve the churn rate a growth goal needs."
    ),
    why={
        "customer_value": (
            "People stay subscribed only while the service is worth the monthly price; net adds "
            "goes up when fewer leave, not only when more join."),
        "predicts_revenue": (
            "Each net add is about $13 of monthly revenue that compounds: this month's net adds "
            "is next month's revenue growth."),
        "single_metric": (
            "One count per month. New subscriptions, cancellations and reactivations are its "
            "sum, shown below it, not blended into an index."),
        "stable": (
            "The definition holds through content changes, price tests and new plans."),
        "measurable": (
            "The billing system knows every start, cancel and restart by day."),
    },
    alternatives=(
        ("Engaged subscribers", "Richer, because it counts use; a strong choice once the "
         "engagement threshold is agreed and tracked."),
        ("New subscribers", "Half the story: a leaky bucket fills quickly and still ends empty."),
        ("Subscriber-weeks watched", "Great for streaming; needs event data this app does not "
         "log yet."),
    ),
    what_if=WhatIf(
        metric="voluntary_churn_rate", target=0.039,
        story=(
            "The retention team has a cancel-flow redesign that should cut "
            "[[voluntary_churn_rate]] from 4.2% to 3.9% a month. How many net adds is that?"),
    ),
    solve=Solve(
        metric="net_subscriber_adds", goal=14_000, lever="voluntary_churn_rate",
        story=(
            "The year-end plan needs 14,000 net adds a month. Acquisition budgets are set, so "
            "what [[voluntary_churn_rate]] has to be true for the goal to hold?"),
    ),
    own_leaf=(
        "A performance marketer would take [[paid_cac]]; a lifecycle PM [[trial_to_paid_rate]]; "
        "the CRM manager [[winback_rate]]."),
    quality_metric=NewMetric(
        id="content_rating", name="Average content rating", unit="ratio", direction="up",
        owner="Head of Content", cadence="weekly", lag_days=7, value=4.1, target=4.3,
        links_to="weekly_engaged_rate", sign="+",
        note="Subscribers who rate what they watch or play highly use the service on more days."),
    first_hypothesis=("payment_recovery_rate", "involuntary_churn_rate"),
    hypothesis_prompt=(
        "[[payment_recovery_rate]] → [[involuntary_churn_rate]] is close to mechanical and can "
        "be tested with a retry-timing A/B test in a month. [[weekly_engaged_rate]] → "
        "[[voluntary_churn_rate]] is the bigger prize but needs cohorts. Which do you test first, "
        "and why?"),
    exercises=(
        "Compare two plans: cut [[paid_cac]] by 10% or cut [[voluntary_churn_rate]] by 10%. "
        "Which moves net adds more, and which one can a single owner move within 90 days?",
        "Exit-survey reasons ('too expensive', 'nothing to watch', 'technical problems') are "
        "not in the tree. Would you add them as metrics, as hypotheses or as a report?",
    ),
))

# --------------------------------------------------------------------------------- e-commerce

_add(Workshop(
    archetype="ecommerce",
    title="KPI tree workshop: B2C e-commerce",
    goal=(
        "An online retailer grows when more people buy, buy more often and spend more per order. "
        "You will read GMV as buyers × frequency × order value, see how much a checkout fix is "
        "worth, and back-solve the repeat rate a bigger quarter needs."
    ),
    why={
        "customer_value": (
            "Every dollar of GMV is a purchase a customer chose to make here rather than "
            "elsewhere."),
        "predicts_revenue": (
            "Net revenue is GMV less returns and discounts, so it follows GMV within the "
            "quarter."),
        "single_metric": (
            "One dollar figure. Buyers × orders per buyer × AOV is the tree below it, not a "
            "blended score."),
        "stable": (
            "It keeps its meaning across catalogue, channel and pricing changes."),
        "measurable": (
            "The order system records it per order, per day."),
    },
    alternatives=(
        ("Active buyers", "Counts breadth but hides how often and how much people buy."),
        ("Repeat purchases", "Captures loyalty; a good level-2 metric, too narrow for the root."),
        ("Revenue after returns", "Closer to finance, later and noisier; keep it as the "
         "finance view of GMV."),
    ),
    what_if=WhatIf(
        metric="cart_abandonment_rate", target=0.60,
        story=(
            "The checkout team plans a one-page checkout that should bring "
            "[[cart_abandonment_rate]] from 62% to 60%. What is that worth in quarterly GMV?"),
    ),
    solve=Solve(
        metric="gmv", goal=17_500_000, lever="repeat_purchase_rate",
        story=(
            "The CEO wants $17.5M of GMV this quarter, up from the plan's $16.6M, without more "
            "acquisition spend. Which [[repeat_purchase_rate]] would deliver it?"),
    ),
    own_leaf=(
        "An SEO manager would take [[organic_sessions]]; a checkout PM "
        "[[cart_abandonment_rate]]; the promotions manager [[promo_discount_rate]]."),
    quality_metric=NewMetric(
        id="return_rate", name="Return rate", unit="percent", direction="down",
        owner="Returns Operations Manager", cadence="weekly", lag_days=14, value=0.11,
        target=0.09, links_to="repeat_purchase_rate", sign="-",
        note="Buyers who send an order back are less likely to order again this quarter."),
    first_hypothesis=("on_time_delivery_rate", "repeat_purchase_rate"),
    hypothesis_prompt=(
        "Two operations metrics, [[on_time_delivery_rate]] and [[post_purchase_csat]], are "
        "believed to drive [[repeat_purchase_rate]]; [[recommendation_ctr]] is believed to lift "
        "[[items_per_order]]. Which one can you test this month with data you already have?"),
    exercises=(
        "[[promo_discount_rate]] lifts orders but lowers AOV. Set its target to 15%: how much "
        "more volume would the promotion need to pay for itself?",
        "Which leaves here would you review every week (lag under 7 days)? Check against the "
        "`lag_days` column of the rollup.",
    ),
))

# -------------------------------------------------------------------------------- marketplace

_add(Workshop(
    archetype="marketplace",
    title="KPI tree workshop: two-sided marketplace",
    goal=(
        "A home-services marketplace only creates value when a household's job is done by a pro. "
        "You will read completed matches as demand × supply coverage × match conversion, try a "
        "supply-side what-if, and back-solve the quote acceptance a bigger month needs."
    ),
    why={
        "customer_value": (
            "A completed job is the moment both sides get what they came for: the household's "
            "problem is fixed and the pro is paid."),
        "predicts_revenue": (
            "Take rate is charged per completed job, so revenue follows matches within the "
            "month."),
        "single_metric": (
            "One count. Demand, supply coverage and match conversion multiply below it."),
        "stable": (
            "It means the same whatever categories, cities or fees the marketplace adds."),
        "measurable": (
            "Every job has a completed status in the booking system."),
    },
    alternatives=(
        ("GMV", "Good for the finance view, but a few large jobs can hide falling liquidity."),
        ("Liquidity (share of requests that get a quote)", "A health measure of supply; it "
         "appears in the tree as supply coverage."),
        ("Registered pros", "Supply on paper. Pros who never quote add nothing."),
    ),
    what_if=WhatIf(
        metric="quote_within_24h_rate", target=0.85,
        story=(
            "Pro Success wants every pro to reply within a day; a nudge programme should lift "
            "[[quote_within_24h_rate]] from 80% to 85%. How many more completed jobs is that?"),
    ),
    solve=Solve(
        metric="completed_matches", goal=23_000, lever="quote_acceptance_rate",
        story=(
            "The company needs 23,000 completed jobs a month to break even. Marketing and "
            "supply plans are fixed; which [[quote_acceptance_rate]] would close the gap?"),
    ),
    own_leaf=(
        "A supply operations manager would take [[area_coverage_rate]]; a CRM manager "
        "[[customer_repeat_rate]]; the matching PM [[quote_acceptance_rate]]."),
    quality_metric=NewMetric(
        id="job_review_score", name="Average job review score", unit="ratio", direction="up",
        owner="Marketplace Quality Manager", cadence="weekly", lag_days=7, value=4.5,
        target=4.6, links_to="customer_repeat_rate", sign="+",
        note="Households who rate the job highly book again sooner."),
    first_hypothesis=("provider_onboarding_completion_rate", "area_coverage_rate"),
    hypothesis_prompt=(
        "Supply gaps are blamed on pros who never finish onboarding "
        "([[provider_onboarding_completion_rate]]) or wait too long for a first job "
        "([[time_to_first_job_days]]). Which would you test first, in which categories or ZIP "
        "codes, and how?"),
    exercises=(
        "[[dispute_rate]] is the quality signal here. Is it a guard on [[job_completion_rate]] "
        "too? What would you watch if the completion rate jumped overnight?",
        "Demand and supply are multiplied: raise [[customer_repeat_rate]] by 5 points, then "
        "[[area_coverage_rate]] by 5 points. Which side is the constraint this month?",
    ),
))

# ------------------------------------------------------------------------------------ media

_add(Workshop(
    archetype="media",
    title="KPI tree workshop: ad-supported media",
    goal=(
        "A free news and short-video app earns from ads, so it earns from attention. You will "
        "read time spent as reach × frequency × session length, test a recommendation what-if, "
        "and back-solve the habit a bigger month needs."
    ),
    why={
        "customer_value": (
            "People spend time only on content they find worth it; minutes are a vote."),
        "predicts_revenue": (
            "Ad inventory is minutes times ad load, so revenue follows time spent within the "
            "month."),
        "single_metric": (
            "One number of minutes. Reach, frequency and length multiply below it."),
        "stable": (
            "The definition survives redesigns, new formats and new ad products."),
        "measurable": (
            "App analytics logs session start and end for every user."),
    },
    alternatives=(
        ("Daily active users", "Counts reach but not depth; it sits one level down as monthly "
         "active users."),
        ("Page views", "Easy to inflate with slideshows and clickbait: a vanity metric."),
        ("Ad revenue", "What the business gets, not what users get; it follows minutes."),
    ),
    what_if=WhatIf(
        metric="items_per_session", target=3.7,
        story=(
            "The recommendations team ships a new ranking model that should lift "
            "[[items_per_session]] from 3.5 to 3.7. How many minutes a month is that?"),
    ),
    solve=Solve(
        metric="monthly_minutes_spent", goal=345_000_000, lever="organic_sessions_per_user",
        story=(
            "Ad sales has promised advertisers 345M minutes of inventory next month. Acquisition "
            "is fixed; how many [[organic_sessions_per_user]] does that take?"),
    ),
    own_leaf=(
        "A user-acquisition manager would take [[cost_per_install]]; the notifications PM "
        "[[push_open_rate]]; the home-feed PM [[organic_sessions_per_user]]."),
    quality_metric=NewMetric(
        id="content_report_rate", name="Content reports per 1,000 sessions", unit="ratio",
        direction="down", owner="Trust and Safety Manager", cadence="weekly", lag_days=3,
        value=1.8, target=1.2, links_to="monthly_user_retention", sign="-",
        note="Users who keep meeting content they report come back less next month."),
    first_hypothesis=("ad_load", "minutes_per_session"),
    hypothesis_prompt=(
        "[[ad_load]] is believed to shorten sessions ([[minutes_per_session]]); "
        "[[notification_opt_out_rate]] and [[in_app_csat]] are believed to drive retention. "
        "Ad load is the one the business can change tomorrow: how would you test it without "
        "losing a month of revenue?"),
    exercises=(
        "[[pushes_per_user]] can be raised at will, and the math says minutes go up. Why is "
        "that dangerous, and which metric on the tree would warn you?",
        "Is 'app downloads' a good leaf for this tree? Apply the 'if it tripled, would the "
        "business improve?' test.",
    ),
))

# ---------------------------------------------------------------------------------- fintech

_add(Workshop(
    archetype="fintech",
    title="KPI tree workshop: consumer fintech",
    goal=(
        "A neobank earns from people who verify, fund and use their account. You will read net "
        "revenue from active users as users × activation × engagement × ARPU, try a direct "
        "deposit what-if, and back-solve the funding rate a bigger month needs."
    ),
    why={
        "customer_value": (
            "It grows only when people verify, fund the account and keep paying with it: "
            "each step is a customer choosing the product."),
        "predicts_revenue": (
            "It *is* the monthly net revenue run-rate from active users, so it leads the "
            "quarter's revenue directly."),
        "single_metric": (
            "'Active users × ARPU' written as one number; the factors sit below it, so the root "
            "stays a single dollar figure, not a blend."),
        "stable": (
            "It holds through new products: a savings pot or a credit line adds to ARPU without "
            "changing the definition."),
        "measurable": (
            "The ledger records interchange, interest and fraud losses per account every day."),
    },
    alternatives=(
        ("Registered users", "Sign-ups that never pass KYC or fund an account are worth "
         "nothing."),
        ("Deposits (AUM)", "The right root for a wealth app; for a spending account, balances "
         "matter less than use."),
        ("Card transactions", "A strong engagement driver, one level down inside ARPU."),
    ),
    what_if=WhatIf(
        metric="direct_deposit_rate", target=0.28,
        story=(
            "A switch-your-salary campaign aims to lift [[direct_deposit_rate]] from 24% to 28%. "
            "What does that do to monthly net revenue through the engagement branch alone?"),
    ),
    solve=Solve(
        metric="monthly_net_revenue", goal=4_600_000, lever="deposit_funding_rate",
        story=(
            "The next funding round needs $4.6M of monthly net revenue. Growth spend is capped; "
            "which [[deposit_funding_rate]] would the onboarding team have to reach?"),
    ),
    own_leaf=(
        "The identity verification lead would take [[kyc_pass_rate]]; the card PM "
        "[[card_txns_per_active]]; the fraud risk manager [[fraud_loss_per_active]]."),
    quality_metric=NewMetric(
        id="card_decline_rate", name="Card decline rate", unit="percent", direction="down",
        owner="Card Product Manager", cadence="weekly", lag_days=1, value=0.045, target=0.035,
        links_to="non_payroll_active_rate", sign="-",
        note="Users whose card is declined at the till stop using it for everyday spending."),
    first_hypothesis=("kyc_verification_minutes", "deposit_funding_rate"),
    hypothesis_prompt=(
        "[[kyc_verification_minutes]] → [[deposit_funding_rate]] can be tested by splitting "
        "applicants by verification time; [[direct_deposit_rate]] → [[card_txns_per_active]] "
        "needs months of spending data. Which do you test first, and what would prove it?"),
    exercises=(
        "Set [[fraud_loss_per_active]] to zero. How much ARPU does that add, and why would a "
        "zero fraud target be a bad target?",
        "The what-if above moved engagement only, yet the hypothesis says direct deposit also "
        "raises card use. How large would that second effect need to be to double the gain?",
    ),
))

# ------------------------------------------------------------------------------- healthcare

_add(Workshop(
    archetype="healthcare",
    title="KPI tree workshop: healthcare (virtual chronic care)",
    goal=(
        "A virtual chronic-care provider is paid by employers and health plans for outcomes. "
        "You will read members with an improved outcome as population × engagement × outcome "
        "rate, test a first-visit what-if, and back-solve the diabetes goal rate a bigger quarter "
        "needs."
    ),
    why={
        "customer_value": (
            "A member whose blood sugar or blood pressure reaches goal is better off; that is "
            "the service's whole point."),
        "predicts_revenue": (
            "Contracts pay on outcomes and renew on them, so improved members drive the next "
            "year's revenue."),
        "single_metric": (
            "One count of people. Enrolment, engagement and outcome rates multiply below it."),
        "stable": (
            "Clinical goal definitions change rarely; the count stays comparable across years."),
        "measurable": (
            "Connected meters and cuffs report readings daily; goal attainment is computed per "
            "member each quarter."),
    },
    alternatives=(
        ("Active members", "Counts engagement but not health; it sits one level down."),
        ("Visits", "Activity, not outcome: more visits can mean sicker members."),
        ("Revenue per member", "A unit-economics guardrail, not the value members get."),
    ),
    what_if=WhatIf(
        metric="first_visit_completion_rate", target=0.90,
        story=(
            "Care coordination plans same-week scheduling to lift "
            "[[first_visit_completion_rate]] from 85% to 90%. How many more members reach an "
            "improved outcome this quarter?"),
    ),
    solve=Solve(
        metric="members_improved", goal=10_000, lever="diabetes_goal_rate",
        story=(
            "A health plan contract pays a bonus at 10,000 improved members a quarter. Enrolment "
            "and engagement plans are set; which [[diabetes_goal_rate]] does the clinical team "
            "need?"),
    ),
    own_leaf=(
        "A partnerships manager would take [[in_network_referrals]]; the care coordination lead "
        "[[first_visit_completion_rate]]; the hypertension lead [[hypertension_goal_rate]]."),
    quality_metric=NewMetric(
        id="coach_response_hours", name="Coach response time", unit="hours", direction="down",
        owner="Care Coaching Manager", cadence="weekly", lag_days=2, value=9, target=4,
        links_to="sustained_engagement_rate", sign="-",
        note="Members who wait long for their coach's reply log fewer readings and drift off."),
    first_hypothesis=("members_per_care_coach", "sustained_engagement_rate"),
    hypothesis_prompt=(
        "[[members_per_care_coach]] is a staffing decision that costs money, so it matters "
        "whether it really drives [[sustained_engagement_rate]]. [[nps_by_visit]] is cheaper to "
        "move. Which do you test first, and what would a fair comparison between coaches look "
        "like?"),
    exercises=(
        "[[hypoglycemia_event_rate]] is a safety guard: a clinical team pushing "
        "[[diabetes_goal_rate]] too hard can raise it. Who should own the guard, and who reviews "
        "the two together?",
        "Outcomes take 60 to 90 days to show. Which leaves here could the weekly review use as "
        "early signals?",
    ),
))


def render_refs(text: str, names: dict[str, str]) -> str:
    """Replace ``[[id]]`` with the metric's name and its id, e.g. ``**Win rate** (`win_rate`)``.

    >>> render_refs("lift [[win_rate]]", {"win_rate": "Opportunity win rate"})
    'lift **Opportunity win rate** (`win_rate`)'
    """
    return METRIC_REF.sub(lambda m: f"**{names.get(m.group(1), m.group(1))}** (`{m.group(1)}`)",
                          text)
