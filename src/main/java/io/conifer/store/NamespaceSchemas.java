package io.conifer.store;

import io.conifer.vectors.MetadataIndexing;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;

/**
 * The metadata schemas of an index's explicitly created namespaces, as its applied writes left them.
 * The namespace markers hold them durably ({@link RecordFields#declareNamespace}); they are also kept
 * here because an upsert is applied without a searcher yet must index only the metadata fields its
 * namespace's schema declares, and a filter is checked against the same schema. Loaded from the last
 * commit before the log replays, and brought up to date by the replay in log order.
 */
public final class NamespaceSchemas {
    private final Map<String, Set<String>> filterable = new ConcurrentHashMap<>();

    /** Replaces what is known by the schemas of {@code directory}'s last commit (none when there is no index yet). */
    public void load(Directory directory) throws IOException {
        Map<String, Set<String>> loaded = new HashMap<>();
        if (DirectoryReader.indexExists(directory)) {
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                NamespaceStats.declaredSchemas(new IndexSearcher(reader)).forEach((ns, fields) -> loaded.put(ns, Set.copyOf(fields)));
            }
        }
        // Key by key rather than cleared first: a reload after a storage failure runs while reads go on.
        filterable.keySet().retainAll(loaded.keySet());
        filterable.putAll(loaded);
    }

    /** {@code namespace} was created with {@code fields} filterable; null or none is no schema (every field indexed). */
    public void declared(String namespace, List<String> fields) {
        if (fields == null || fields.isEmpty()) filterable.remove(namespace);
        else filterable.put(namespace, Set.copyOf(fields));
    }

    public void deleted(String namespace) {
        filterable.remove(namespace);
    }

    /** The metadata fields {@code namespace} indexes by its own schema. */
    public MetadataIndexing of(String namespace) {
        return MetadataIndexing.declared(filterable.get(namespace), "the schema of namespace '" + namespace + "'");
    }

    /** The fields every namespace indexes: all a filter spanning the namespaces (index stats) may name. */
    public MetadataIndexing everywhere() {
        MetadataIndexing all = MetadataIndexing.ALL;
        for (String ns : new TreeSet<>(filterable.keySet())) all = all.and(of(ns));
        return all;
    }
}
