package io.conifer.backup;

import java.io.IOException;

/** An encrypted object whose key was not given: not damage, so nothing is quarantined for it. */
public final class BackupKeyException extends IOException {
    public BackupKeyException(String message) {
        super(message);
    }
}
