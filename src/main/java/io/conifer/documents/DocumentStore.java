package io.conifer.documents;

import io.conifer.index.IndexSchema;
import io.conifer.vectors.IndexStats;
import io.conifer.vectors.ListPage;
import io.conifer.vectors.NamespaceInfo;
import io.conifer.vectors.Read;
import io.conifer.vectors.Written;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The documents API over one document index: the same durable engine as vector records (write-ahead
 * log, Lucene, point-in-time export), with documents as the record shape. Filters are the JSON filter
 * expressions of the API (metadata operators; text-match operators only where the API allows them).
 */
public interface DocumentStore {
    IndexSchema schema();

    /** Inserts or replaces whole documents. */
    Written upsert(String namespace, List<DocumentRecord> documents);

    Read<Map<String, DocumentRecord>> fetch(String namespace, List<String> ids);

    record DocumentPage(List<DocumentRecord> documents, boolean more) {}

    /** Documents matching {@code filter} in bitwise id order, after {@code afterId} (null from the start). */
    Read<DocumentPage> fetchByFilter(String namespace, Map<String, Object> filter, int limit, String afterId);

    Read<ListPage> list(String namespace, String prefix, int limit, String afterId);

    /** One document's patch: sets {@code setFields}, removes {@code removeFields}. */
    record DocumentPatch(String id, Map<String, Object> setFields, Set<String> removeFields) {}

    /**
     * Applies every patch or none: each patched document is checked before any is written. Patches of
     * an id that does not exist are skipped; count is the number of documents patched.
     */
    Written update(String namespace, List<DocumentPatch> patches);

    default Written update(String namespace, String id, Map<String, Object> setFields, Set<String> removeFields) {
        return update(namespace, List.of(new DocumentPatch(id, setFields, removeFields)));
    }

    /** Patches every document matching {@code filter}; count is the number matched. */
    Written updateByFilter(String namespace, Map<String, Object> filter, Map<String, Object> setFields, Set<String> removeFields);

    Written deleteIds(String namespace, List<String> ids);

    /** Count is the number matched. */
    Written deleteByFilter(String namespace, Map<String, Object> filter);

    /** Deletes every document of a namespace; a namespace created explicitly stays, empty. */
    Written deleteAll(String namespace);

    /**
     * Makes an empty namespace that exists until it is deleted, whether or not it holds documents then;
     * counts 0 if it exists already. (A namespace an upsert made exists while it holds documents.)
     */
    Written createNamespace(String namespace);

    /** Deletes every document of a namespace and the namespace itself; the write's log sequence number. */
    long deleteNamespace(String namespace);

    /**
     * The hits, best first; with {@code withFields} false each hit carries only its id, so a search that
     * shows no fields (the API's default) reads no stored source.
     */
    Read<List<ScoredDocument>> search(String namespace, DocumentSearch search, boolean withFields);

    default Read<List<ScoredDocument>> search(String namespace, DocumentSearch search) {
        return search(namespace, search, true);
    }

    /** Live document counts per non-empty namespace, only of documents matching {@code filter} unless it is null or empty. */
    Read<IndexStats> stats(Map<String, Object> filter);

    /** Every namespace holding documents or created explicitly, with its count, in bitwise order. */
    Read<SortedMap<String, NamespaceInfo>> namespaces();
}
