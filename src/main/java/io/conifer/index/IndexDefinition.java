package io.conifer.index;

import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.util.Map;
import java.util.Set;

/**
 * A catalog entry: everything about an index except its records. {@code filterableFields} is null
 * when the index has no metadata schema (every field filterable). {@code port} is the index's own
 * data-plane port, kept across restarts. {@code readCapacity} is null in catalogs written before
 * it was stored: {@link #readCapacityOrDefault()} reads that as on demand.
 */
public record IndexDefinition(
        String id,
        String project,
        String name,
        VectorType vectorType,
        int dimension,
        Metric metric,
        boolean deletionProtection,
        Map<String, String> tags,
        String cloud,
        String region,
        Set<String> filterableFields,
        int port,
        String createdAt,
        IndexState state,
        ReadCapacity readCapacity) {

    /** Catalogs written before restores existed have no state: their indexes are ready. */
    public boolean isReady() {
        return state == null || state == IndexState.READY;
    }

    public ReadCapacity readCapacityOrDefault() {
        return readCapacity == null ? ReadCapacity.ON_DEMAND : readCapacity;
    }

    public VectorSpace space() {
        return new VectorSpace(vectorType, dimension, metric, filterableFields);
    }

    public IndexDefinition withDeletionProtection(boolean enabled) {
        return new IndexDefinition(id, project, name, vectorType, dimension, metric, enabled, tags, cloud, region,
                filterableFields, port, createdAt, state, readCapacity);
    }

    public IndexDefinition withTags(Map<String, String> newTags) {
        return new IndexDefinition(id, project, name, vectorType, dimension, metric, deletionProtection, newTags, cloud,
                region, filterableFields, port, createdAt, state, readCapacity);
    }

    public IndexDefinition withState(IndexState newState, int newPort) {
        return new IndexDefinition(id, project, name, vectorType, dimension, metric, deletionProtection, tags, cloud,
                region, filterableFields, newPort, createdAt, newState, readCapacity);
    }

    public IndexDefinition withReadCapacity(ReadCapacity newReadCapacity) {
        return new IndexDefinition(id, project, name, vectorType, dimension, metric, deletionProtection, tags, cloud,
                region, filterableFields, port, createdAt, state, newReadCapacity);
    }
}
