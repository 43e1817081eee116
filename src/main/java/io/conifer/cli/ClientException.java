package io.conifer.cli;

/**
 * Why a client command could not do what it was asked, with the exit code that says which kind of
 * failure it was (a script tells "the server said no" from "no server" from "wrong key" by it).
 */
final class ClientException extends Exception {
    /** The server refused the request, or the operation it ran ended Failed. */
    static final int OPERATION_FAILED = 1;
    /** picocli's code for a bad command line, kept for the client commands' own usage checks. */
    static final int USAGE = 2;
    /** No answer from a Conifer control plane at the host. */
    static final int CONNECTION = 3;
    /** The server did not accept the API key. */
    static final int AUTHENTICATION = 4;

    private final int exitCode;

    ClientException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
