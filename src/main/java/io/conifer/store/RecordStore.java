package io.conifer.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An open index of one record shape (vector records or documents) over its {@link StorageEngine}: what
 * the index lifecycle and backups need of it, whatever the shape.
 */
public interface RecordStore extends Closeable {
    StorageEngine<?> engine();

    /** See {@link StorageEngine#maintain}. */
    default void maintain(boolean checkpointNow) {
        engine().maintain(checkpointNow);
    }

    /** Why writes are refused, or null while they are accepted. */
    default String writesRefused() {
        return engine().writesRefused();
    }

    default void checkpoint() throws IOException {
        engine().checkpoint();
    }

    /** See {@link StorageEngine#exportTo}. */
    default PointInTime exportTo(Path target) throws IOException {
        return engine().exportTo(target);
    }

    @Override
    default void close() throws IOException {
        engine().close();
    }

    /** Closes without a final checkpoint, as a crash would (the log still holds every write). */
    default void abandon() throws IOException {
        engine().abandon();
    }
}
