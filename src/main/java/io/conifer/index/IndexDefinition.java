package io.conifer.index;

import io.conifer.vectors.VectorSpace;
import java.util.Map;

/**
 * A catalog entry: everything about an index except its records, in one model that every API version
 * renders its own way. {@code sourceBackupId} names the backup the index was restored from, if any.
 * {@code port} is the index's own data-plane port, kept across restarts.
 */
public record IndexDefinition(
        String id,
        String project,
        String name,
        IndexSchema schema,
        Deployment deployment,
        ReadCapacity readCapacity,
        boolean deletionProtection,
        Map<String, String> tags,
        String sourceBackupId,
        int port,
        String createdAt,
        IndexState state) {

    /** Catalogs written before restores existed have no state: their indexes are ready. */
    public boolean isReady() {
        return state == null || state == IndexState.READY;
    }

    /** Null only in entries of catalogs written before read capacity was stored: on demand. */
    public ReadCapacity readCapacityOrDefault() {
        return readCapacity == null ? ReadCapacity.ON_DEMAND : readCapacity;
    }

    public VectorSpace space() {
        return schema.vectorSpace();
    }

    public IndexDefinition withDeletionProtection(boolean enabled) {
        return new IndexDefinition(id, project, name, schema, deployment, readCapacity, enabled, tags, sourceBackupId, port,
                createdAt, state);
    }

    public IndexDefinition withTags(Map<String, String> newTags) {
        return new IndexDefinition(id, project, name, schema, deployment, readCapacity, deletionProtection, newTags,
                sourceBackupId, port, createdAt, state);
    }

    public IndexDefinition withReadCapacity(ReadCapacity newCapacity) {
        return new IndexDefinition(id, project, name, schema, deployment, newCapacity, deletionProtection, tags,
                sourceBackupId, port, createdAt, state);
    }

    public IndexDefinition withState(IndexState newState, int newPort) {
        return new IndexDefinition(id, project, name, schema, deployment, readCapacity, deletionProtection, tags,
                sourceBackupId, newPort, createdAt, newState);
    }
}
