package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;

/** The terminal bar as drawn: percent, bytes, elapsed / time left, rate. */
class ProgressBarViewTest {
    private static final long MIB = 1 << 20;
    private static final Pattern RATE = Pattern.compile("\\d+\\.\\d MiB/s");

    @Test
    void aBarInBytesShowsPercentBytesRateAndTimeLeft() throws Exception {
        List<String> frames = new CopyOnWriteArrayList<>();
        ProgressBarView view = new ProgressBarView("backup", new DelegatingProgressBarConsumer(frames::add, 120));
        view.show(new Progress(25, 25 * MIB, 100 * MIB));
        view.show(new Progress(50, 50 * MIB, 100 * MIB));
        // The rate is bytes over whole elapsed seconds: it appears once a second has passed.
        Await.until("a rate is shown", () -> {
            view.refresh();
            return RATE.matcher(last(frames)).find();
        });
        String frame = last(frames);
        assertTrue(frame.startsWith("backup  50% "), frame);
        assertTrue(frame.contains(" 50/100 MiB ("), frame);
        // (elapsed / time left) and the rate: half done after s seconds leaves about s more, at 50 MiB / s.
        Matcher m = Pattern.compile(" \\((\\d+):(\\d\\d):(\\d\\d) / (\\d+):(\\d\\d):(\\d\\d)\\) (\\d+\\.\\d) MiB/s").matcher(frame);
        assertTrue(m.find(), frame);
        long elapsed = seconds(m, 1);
        long left = seconds(m, 4);
        double rate = Double.parseDouble(m.group(7));
        assertTrue(elapsed >= 1 && Math.abs(left - elapsed) <= 1, frame);
        assertTrue(rate >= 50.0 / (elapsed + 1) - 0.05 && rate <= 50.0 / Math.max(1, elapsed - 1) + 0.05, frame);
        view.close();
        assertTrue(last(frames).startsWith("backup  50% "), last(frames));
    }

    @Test
    void withoutBytesTheBarCountsPercents() throws Exception {
        List<String> frames = new CopyOnWriteArrayList<>();
        ProgressBarView view = new ProgressBarView("restore", new DelegatingProgressBarConsumer(frames::add, 120));
        view.show(Progress.of(42, 0));
        // The library's own timer may have begun a frame before the step and finish it after ours (that
        // frame reads 0% and then 42): wait for a frame drawn wholly after the step.
        Await.until("a frame after the step is drawn", () -> {
            view.refresh();
            return last(frames).startsWith("restore  42% ");
        });
        String frame = last(frames);
        assertTrue(frame.startsWith("restore  42% "), frame);
        assertTrue(frame.contains(" 42/100% ("), frame);
        view.close();
    }

    private static long seconds(Matcher m, int from) {
        return Long.parseLong(m.group(from)) * 3600 + Long.parseLong(m.group(from + 1)) * 60 + Long.parseLong(m.group(from + 2));
    }

    private static String last(List<String> frames) {
        return frames.isEmpty() ? "" : frames.get(frames.size() - 1);
    }
}
