package io.conifer.index;

import io.conifer.vectors.VectorStore;
import java.io.Closeable;
import java.io.IOException;

/** Serves an index's data plane on its own port; implemented by the API layer. */
public interface DataPlaneHost {
    /** Starts serving; throws {@link java.net.BindException} (possibly as the cause) if the port is taken. */
    Closeable serve(IndexDefinition index, VectorStore store) throws IOException;
}
