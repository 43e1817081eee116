package io.conifer.cli;

import java.io.PrintWriter;

/** Shows a long operation's progress while the CLI waits for it: a live bar on a terminal, else plain lines. */
interface ProgressView extends AutoCloseable {
    void show(Progress progress);

    /** Ends the display (the bar's last state stays on screen). */
    @Override
    void close();

    /** Shows nothing (for {@code --json}, whose output is the answer alone). */
    static ProgressView silent() {
        return new ProgressView() {
            @Override
            public void show(Progress progress) {}

            @Override
            public void close() {}
        };
    }

    static ProgressView of(String task, boolean terminal, PrintWriter out) {
        return terminal ? new ProgressBarView(task, System.out) : new ProgressLines(task, out);
    }
}
