package io.conifer.index;

import io.conifer.documents.DocumentStore;
import io.conifer.vectors.VectorStore;

/**
 * What a data-plane call asks its index for. Each accessor throws a
 * {@link io.conifer.error.ConiferException} saying why there is no such store: not found once the
 * index is deleted, INVALID_ARGUMENT naming the right API when the index is of the other kind,
 * UNAVAILABLE while it is opening or when it could not be opened.
 */
public interface StoreAccess {
    /** The store of a vector index. */
    VectorStore vectors();

    /** The store of a document index. */
    DocumentStore documents();
}
