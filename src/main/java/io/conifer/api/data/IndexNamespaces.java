package io.conifer.api.data;

import io.conifer.documents.DocumentStore;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.IndexStats;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metric;
import io.conifer.vectors.NamespaceInfo;
import io.conifer.vectors.Read;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import io.conifer.vectors.Written;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What the index stats and namespace operations need of an index, whichever record shape it holds:
 * they serve vector and document indexes alike.
 */
interface IndexNamespaces {
    /** The vector space stats report (a document index: its dense field, else sparse). */
    VectorSpace space();

    Read<IndexStats> stats(Map<String, Object> filter);

    Read<SortedMap<String, NamespaceInfo>> namespaces();

    boolean exists(String namespace);

    Written create(String namespace, List<String> filterableFields);

    /** Deletes the namespace and its records; the write's log sequence number. */
    long delete(String namespace);

    static IndexNamespaces of(VectorStore store) {
        return new IndexNamespaces() {
            public VectorSpace space() {
                return store.space();
            }

            public Read<IndexStats> stats(Map<String, Object> filter) {
                return store.stats(filter);
            }

            public Read<SortedMap<String, NamespaceInfo>> namespaces() {
                return store.namespaces();
            }

            public boolean exists(String namespace) {
                return store.namespaceExists(namespace);
            }

            public Written create(String namespace, List<String> filterableFields) {
                return store.createNamespace(namespace, filterableFields);
            }

            public long delete(String namespace) {
                return store.deleteNamespace(namespace);
            }
        };
    }

    /**
     * A document index's namespaces, as a vector index's: one an upsert made exists while it holds
     * documents, one created explicitly until it is deleted.
     */
    static IndexNamespaces of(DocumentStore store, String indexName) {
        IndexSchema schema = store.schema();
        VectorSpace space = schema.fields().values().stream()
                .filter(f -> f instanceof SchemaField.DenseVector).map(f -> (SchemaField.DenseVector) f).findFirst()
                .map(d -> new VectorSpace(VectorType.DENSE, d.dimension(), d.metric(), null))
                .orElse(new VectorSpace(VectorType.SPARSE, 0, Metric.DOTPRODUCT, null));
        return new IndexNamespaces() {
            public VectorSpace space() {
                return space;
            }

            public Read<IndexStats> stats(Map<String, Object> filter) {
                return store.stats(filter);
            }

            public Read<SortedMap<String, NamespaceInfo>> namespaces() {
                return store.namespaces();
            }

            public boolean exists(String namespace) {
                return store.namespaces().result().containsKey(Limits.namespace(namespace));
            }

            /** The spec indexes every metadata field of a document for filtering, so no schema can narrow it. */
            public Written create(String namespace, List<String> filterableFields) {
                if (filterableFields != null) {
                    throw ConiferException.invalid("Index '" + indexName + "' is a document index, which indexes every"
                            + " metadata field of its documents for filtering: create the namespace without a 'schema'");
                }
                return store.createNamespace(namespace);
            }

            public long delete(String namespace) {
                return store.deleteNamespace(namespace);
            }
        };
    }
}
