package io.conifer.index;

import java.io.Closeable;
import java.io.IOException;

/** Serves an index's data plane on its own port; implemented by the API layer. */
public interface DataPlaneHost {
    /**
     * Starts serving; throws {@link java.net.BindException} (possibly as the cause) if the port is taken.
     * Each call asks {@code stores} for the index's store, which throws a {@link io.conifer.error.ConiferException}
     * saying why while there is none (still opening, failed, deleted, the other kind of index): the port can
     * serve before the store opens.
     */
    Closeable serve(IndexDefinition index, StoreAccess stores) throws IOException;
}
