package io.conifer.server;

import java.io.IOException;

/** The server cannot start for a reason the operator can fix; the message says what is wrong and what to do. */
public final class StartupFailure extends IOException {
    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
