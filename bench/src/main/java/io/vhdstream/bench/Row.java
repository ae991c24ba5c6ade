package io.vhdstream.bench;

/**
 * One comparison: subjects A and B, ratio = A time / B time (median over median, min over min), judged
 * against {@code target} (at least, or at most). The median ratio is the typical case; the min ratio is each
 * subject at its least disturbed, which on a shared machine is the better estimate of what the code itself
 * costs. PASS needs both to meet the target, FAIL means neither does, MIXED one of them. A row without a
 * target is information. {@code load} is the 1-minute load average when the row was measured.
 */
record Row(String id, String title, String aName, Stats a, String bName, Stats b, Double target, boolean atLeast,
           String targetText, String skipped, double load) {

    Row(String id, String title, String aName, Stats a, String bName, Stats b, Double target, boolean atLeast,
        String targetText, String skipped) {
        this(id, title, aName, a, bName, b, target, atLeast, targetText, skipped, Machine.loadAverage());
    }

    static Row skipped(String id, String title, String why) {
        return new Row(id, title, null, null, null, null, null, true, "", why);
    }

    boolean measured() {
        return skipped == null;
    }

    double ratioMedian() {
        return a.median() / b.median();
    }

    double ratioMin() {
        return a.min() / b.min();
    }

    /** PASS, FAIL, MIXED (median and min disagree), info (no target) or SKIP. */
    String verdict() {
        if (!measured()) {
            return "SKIP";
        }
        if (target == null) {
            return "info";
        }
        boolean med = meets(ratioMedian());
        boolean min = meets(ratioMin());
        return med && min ? "PASS" : !med && !min ? "FAIL" : "MIXED";
    }

    private boolean meets(double r) {
        return atLeast ? r >= target : r <= target;
    }
}
