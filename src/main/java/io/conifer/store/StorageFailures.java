package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DiskSpace;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a storage failure is named to clients and in the log. */
final class StorageFailures {
    private static final Logger log = LoggerFactory.getLogger(StorageFailures.class);

    private StorageFailures() {}

    /** The retriable error a client gets for a write that storage could not take. */
    static ConiferException refusal(Throwable cause, String outcome) {
        String why = DiskSpace.isFull(cause)
                ? "Not enough disk space to make this write durable"
                : "Storage failure (" + cause.getMessage() + ")";
        return new ConiferException(ErrorCode.UNAVAILABLE, why + "; " + outcome + ". Writes resume by themselves"
                + " once the server's disk has room again; reads are still served.", cause);
    }

    static String condition(Throwable cause) {
        return DiskSpace.isFull(cause) ? "disk full" : "storage failure (" + cause.getClass().getSimpleName() + ")";
    }

    /** A read that failed on storage (reads need no free space, so this is not a full disk). */
    static ConiferException readFailure(IOException e) {
        log.error("Storage failure", e);
        return new ConiferException(ErrorCode.UNKNOWN, "Storage failure: " + e.getMessage(), e);
    }

    static ConiferException notExportable(Throwable failure) {
        return new ConiferException(ErrorCode.UNAVAILABLE, "The index cannot be backed up while its writes are refused ("
                + condition(failure) + "); try again once the server's disk has room", failure);
    }
}
