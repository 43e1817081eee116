package io.conifer.files;

import java.io.IOException;

/** I/O failures put in words for a one-line message. */
public final class IoErrors {
    private IoErrors() {}

    /**
     * The failure's kind and message: the kind says what happened where the message alone does not (an
     * AccessDeniedException's message is just the path); a plain IOException's message says it all.
     */
    public static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        if (e.getMessage() == null) return kind;
        return e.getClass() == IOException.class ? e.getMessage() : kind + ": " + e.getMessage();
    }
}
