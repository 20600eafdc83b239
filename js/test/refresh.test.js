import { describe, expect, it } from "vitest";
import { refreshText } from "../toolbar.js";

describe("the refresh status", () => {
  it("says a refresh is running, failed, or when it finished", () => {
    expect(refreshText("busy")).toBe("Refreshing\u2026");
    expect(refreshText("failed")).toBe("Refresh failed");
    const at = "2026-03-05T14:02:31+00:00";
    expect(refreshText("done", at)).toBe(`Refreshed at ${new Date(at).toLocaleTimeString()}`);
    expect(refreshText("done", "not a time")).toBe("Refreshed");
  });
});
