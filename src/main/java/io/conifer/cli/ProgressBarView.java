package io.conifer.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * A live bar (me.tongfei:progressbar) with the percent, the bytes, the rate and the time left, redrawn in
 * place; in bytes (shown in MiB) when the server tells them, else in percent.
 */
final class ProgressBarView implements ProgressView {
    private static final long MIB = 1 << 20;
    private final String task;
    private final ProgressBarConsumer consumer;
    private ProgressBar bar;

    ProgressBarView(String task, PrintStream terminal) {
        this(task, new ConsoleProgressBarConsumer(terminal));
    }

    ProgressBarView(String task, ProgressBarConsumer consumer) {
        this.task = task;
        this.consumer = consumer;
    }

    @Override
    public void show(Progress p) {
        if (bar == null) bar = start(p);
        if (p.hasBytes()) {
            bar.maxHint(p.totalBytes());
            bar.stepTo(p.doneBytes());
        } else {
            bar.stepTo(p.percent());
        }
    }

    private ProgressBar start(Progress first) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setConsumer(consumer).setUpdateIntervalMillis(200)
                .continuousUpdate();
        if (first.hasBytes()) b.setInitialMax(first.totalBytes()).setUnit(" MiB", MIB).showSpeed();
        else b.setInitialMax(100).setUnit("%", 1);
        return b.build();
    }

    /** Draws the current state now (the library otherwise redraws on its own timer). */
    void refresh() {
        if (bar != null) bar.refresh();
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
