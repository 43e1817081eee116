package io.conifer.cli;

import java.io.PrintWriter;

/**
 * Progress as one line per change of percent, for output that is not a terminal (a log, a pipe): a
 * redrawn bar would be noise there.
 */
final class ProgressLines implements ProgressView {
    private final String task;
    private final PrintWriter out;
    private int shown = -1;

    ProgressLines(String task, PrintWriter out) {
        this.task = task;
        this.out = out;
    }

    @Override
    public void show(Progress p) {
        if (p.percent() == shown) return;
        shown = p.percent();
        out.println(task + ": " + p.percent() + "%"
                + (p.hasBytes() ? " (" + Bytes.human(p.doneBytes()) + " of " + Bytes.human(p.totalBytes()) + ")" : ""));
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
