# Reference values for tests/test_farrington_r.py: R surveillance::farringtonFlexible on one series.
# Input file (argument 1), one item per line: the values (comma-separated); freq, b, w, alpha,
# weightsThreshold, limit54 cases, limit54 periods, trend (0/1); thresholdMethod; the 1-based
# time points.
# Output (stdout): CSV with k, expected, upper.
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
inp <- readLines(args[1])
y <- as.numeric(strsplit(inp[1], ",")[[1]])
p <- as.numeric(strsplit(inp[2], ",")[[1]])
rng <- as.integer(strsplit(inp[4], ",")[[1]])
s <- sts(observed = y, frequency = p[1], start = c(2000, 1))
ctl <- list(range = rng, b = p[2], w = p[3], alpha = p[4], weightsThreshold = p[5],
            thresholdMethod = inp[3], limit54 = c(p[6], p[7]), trend = p[8] == 1,
            glmWarnings = FALSE)
r <- farringtonFlexible(s, control = ctl)
write.table(data.frame(k = rng, expected = r@control$expected[, 1], upper = upperbound(r)[, 1]),
            sep = ",", row.names = FALSE, quote = FALSE)
