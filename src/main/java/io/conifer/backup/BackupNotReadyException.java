package io.conifer.backup;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;

/** A restore asked for a backup that is not Ready. API versions answer it with different statuses. */
public final class BackupNotReadyException extends ConiferException {
    public BackupNotReadyException(String backupId, BackupStatus status) {
        super(ErrorCode.FAILED_PRECONDITION, "Backup " + backupId + " is " + status
                + ", not Ready; only Ready backups can be restored");
    }
}
