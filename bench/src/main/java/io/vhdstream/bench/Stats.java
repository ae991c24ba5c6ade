package io.vhdstream.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Timings of one subject in seconds, warm-up runs already left out. */
record Stats(List<Double> seconds) {
    Stats {
        seconds = List.copyOf(seconds);
    }

    double median() {
        List<Double> s = new ArrayList<>(seconds);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double min() {
        return Collections.min(seconds);
    }

    double max() {
        return Collections.max(seconds);
    }

    int count() {
        return seconds.size();
    }
}
