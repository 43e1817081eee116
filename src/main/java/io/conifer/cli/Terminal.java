package io.conifer.cli;

import java.io.Console;

/** Whether the CLI talks to a person at a terminal (a live progress bar) or to a file or pipe (plain lines). */
final class Terminal {
    private Terminal() {}

    /**
     * Since JDK 22 {@code System.console()} exists even when output is redirected, and only {@code
     * Console.isTerminal()} (absent from JDK 21, the floor) tells; before, a console meant a terminal.
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
