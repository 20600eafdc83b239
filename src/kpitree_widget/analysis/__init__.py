"""What FP&A people do with a driver tree: scenarios, back-solving, sensitivity, attribution."""
