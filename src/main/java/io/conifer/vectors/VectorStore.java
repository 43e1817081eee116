package io.conifer.vectors;

import io.conifer.error.ConiferException;
import io.conifer.store.MatchedParts;
import io.conifer.store.PartsLogged;
import io.conifer.store.PinnedSearcher;
import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import io.conifer.store.RecordStore;
import io.conifer.store.StorageEngine;
import io.conifer.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;

/**
 * One vector index: vector records as a record shape over the {@link StorageEngine} (which owns
 * durability, checkpoints, recovery, searchers and export). Every write is validated completely
 * before it reaches the engine, so a rejected request changes nothing.
 */
public final class VectorStore implements RecordStore {
    private final VectorSpace space;
    private final VectorWrites writes;
    private final StorageEngine<WriteOp> engine;
    private final VectorQueries queries;

    private VectorStore(VectorSpace space, VectorWrites writes, StorageEngine<WriteOp> engine) {
        this.space = space;
        this.writes = writes;
        this.engine = engine;
        this.queries = new VectorQueries(space, engine.options().efSearch());
    }

    /** Opens (or creates) the store in {@code dir}, replaying any log records newer than the last commit. */
    public static VectorStore open(Path dir, VectorSpace space, StoreOptions options) throws IOException {
        VectorWrites writes = new VectorWrites(space);
        return new VectorStore(space, writes, StorageEngine.open(dir, writes, null, null, options));
    }

    public VectorSpace space() {
        return space;
    }

    @Override
    public StorageEngine<?> engine() {
        return engine;
    }

    // ---------------------------------------------------------------- writes

    public Written upsert(String namespace, List<VectorRecord> records) {
        String ns = Limits.newNamespace(namespace);
        Limits.count("vector", records.size(), Limits.MAX_UPSERT_VECTORS);
        List<VectorRecord> valid = new ArrayList<>(records.size());
        for (VectorRecord r : records) valid.add(Limits.record(r, space));
        List<String> keys = new ArrayList<>(valid.size());
        for (VectorRecord r : valid) keys.add(RecordFields.key(ns, r.id()));
        return new Written(valid.size(), engine.write(new WriteOp.Upsert(ns, valid), keys));
    }

    /**
     * Replaces the values and/or sparse values of one record and merges {@code setMetadata} into its
     * metadata. Counts the records matched (0 when the id does not exist).
     */
    public Written update(String namespace, String id, float[] values, SparseVector sparse, Map<String, Object> setMetadata) {
        String ns = Limits.namespace(namespace);
        Limits.id(id);
        if (values != null && values.length == 0) values = null;
        sparse = Limits.sparse(sparse, "record '" + id + "'");
        if (values != null) {
            if (space.isSparse()) throw ConiferException.invalid("This is a sparse index: update sparseValues, not values");
            Limits.dense(values, space, "record '" + id + "'");
        }
        Map<String, Object> set = Metadata.normalise(setMetadata, id);
        try (StorageEngine<WriteOp>.WriteLocks held = engine.lockKeys(List.of(RecordFields.key(ns, id)))) {
            VectorRecord current = fetch(ns, List.of(id)).result().get(id);
            if (current == null) return new Written(0, engine.appliedSeq());
            VectorRecord merged = new VectorRecord(id,
                    values != null ? values : current.values(),
                    sparse != null ? sparse : current.sparse(),
                    set != null ? Metadata.merge(current.metadata(), set) : current.metadata());
            merged = Limits.record(merged, space);
            return new Written(1, held.logAndApply(new WriteOp.Upsert(ns, List.of(merged))));
        }
    }

    public long deleteIds(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", Limits.MAX_DELETE_IDS);
        List<String> keys = new ArrayList<>(ids.size());
        for (String id : ids) keys.add(RecordFields.key(ns, id));
        return engine.write(new WriteOp.DeleteIds(ns, List.copyOf(ids)), keys);
    }

    public long deleteByFilter(String namespace, Map<String, Object> filter) {
        String ns = Limits.namespace(namespace);
        if (filter == null || filter.isEmpty()) throw ConiferException.invalid("Delete by filter needs a non-empty filter");
        FilterQueries.toQuery(filter, writes.indexing(ns)); // reject a bad filter before it reaches the log
        return engine.writeAll(new WriteOp.DeleteFilter(ns, filter));
    }

    /** Deletes every record of a namespace and the namespace itself. */
    public long deleteNamespace(String namespace) {
        return engine.writeAll(new WriteOp.DeleteNamespace(Limits.namespace(namespace)));
    }

    /** Deletes every record of a namespace, leaving an explicitly created namespace in place. */
    public long deleteAll(String namespace) {
        String ns = Limits.namespace(namespace);
        return engine.writeAll(new WriteOp.DeleteFilter(ns, Map.of()));
    }

    /**
     * Creates an empty namespace whose records index only the metadata fields its schema declares
     * filterable (null or none: no schema, every field); counts 0 if it already exists.
     */
    public Written createNamespace(String namespace, List<String> filterableFields) {
        String ns = Limits.createdNamespace(namespace);
        List<String> fields = filterableFields == null || filterableFields.isEmpty() ? null : List.copyOf(filterableFields);
        return engine.createNamespace(ns, new WriteOp.DeclareNamespace(ns, fields));
    }

    /**
     * Sets metadata on every record of a namespace matching {@code filter} and counts how many matched;
     * with {@code dryRun} only counts. Each part of the merged records is logged as an upsert, so replay
     * is idempotent like any other write; every part is merged and checked before the first is logged,
     * so a record the update would make invalid refuses it with nothing written.
     *
     * <p>Memory holds one part, not every match (a million records of 768 dimensions are 3 GB): a first
     * walk over one pinned view merges and checks a part at a time and keeps nothing, a second reads the
     * same parts again and logs them. A dry run only counts.
     */
    public Written updateByFilter(String namespace, Map<String, Object> filter, Map<String, Object> setMetadata, boolean dryRun) {
        String ns = Limits.namespace(namespace);
        if (filter == null || filter.isEmpty()) throw ConiferException.invalid("Update by filter needs a non-empty filter");
        FilterQueries.toQuery(filter, writes.indexing(ns)); // refused before waiting for the lock
        Map<String, Object> set = Metadata.normalise(setMetadata, null);
        if (!dryRun && (set == null || set.isEmpty())) {
            throw ConiferException.invalid("Update by filter sets metadata only: send a non-empty setMetadata");
        }
        try (StorageEngine<WriteOp>.WriteLocks held = engine.lockAll()) {
            // Again under the lock, which the namespace's schema cannot change under: a namespace deleted and
            // created meanwhile may index fewer fields, and a field it leaves out would match as absent.
            Query matching = RecordQueries.inNamespace(ns, FilterQueries.toQuery(filter, writes.indexing(ns)));
            if (dryRun) return new Written(engine.read(s -> s.count(matching)).result(), engine.appliedSeq());
            try (PinnedSearcher pinned = engine.pin()) {
                PartsLogged done = held.logCheckedParts(() -> mergedParts(pinned, ns, matching, set));
                return new Written(done.docs(), done.lsn());
            }
        }
    }

    /** The records {@code matching} finds, merged with {@code set} and checked, a part (one upsert's worth) at a time. */
    private MatchedParts<WriteOp.Upsert> mergedParts(PinnedSearcher pinned, String ns, Query matching, Map<String, Object> set) {
        long setBytes = Metadata.toJson(set).length; // what each record's metadata may grow by
        return pinned.parts(matching, Limits.MAX_UPSERT_VECTORS, (s, docs) -> {
            List<VectorRecord> merged = new ArrayList<>(docs.size());
            long[] bytes = {0};
            StoredRecords.visit(s, docs, true, true, (doc, r, size) -> {
                merged.add(Limits.record(new VectorRecord(r.id(), r.values(), r.sparse(), Metadata.merge(r.metadata(), set)), space));
                bytes[0] += size + setBytes;
                return bytes[0] < MatchedParts.MAX_BYTES;
            });
            return new MatchedParts.Part<>(new WriteOp.Upsert(ns, merged), merged.size());
        });
    }

    // ---------------------------------------------------------------- reads

    /** The most records a fetch by metadata returns at once. */
    public static final int MAX_FETCH_PAGE = 10_000;

    /** Records of a namespace matching a filter, in id order, a page at a time. */
    public record RecordPage(List<VectorRecord> records, boolean more) {}

    /** Records matching {@code filter} with ids after {@code afterId} (null: from the start), in id order. */
    public Read<RecordPage> fetchByMetadata(String namespace, Map<String, Object> filter, int limit, String afterId) {
        String ns = Limits.namespace(namespace);
        if (limit < 1 || limit > MAX_FETCH_PAGE) {
            throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and " + MAX_FETCH_PAGE);
        }
        // No filter: null, so the page walks the namespace's ids rather than a match-all over it each time.
        Query f = filter == null || filter.isEmpty() ? null : FilterQueries.toQuery(filter, writes.indexing(ns));
        return engine.read(s -> {
            RecordQueries.IdPage page = RecordQueries.matchingPage(s, ns, f, limit, afterId);
            Map<Integer, VectorRecord> loaded = StoredRecords.load(s, page.docs(), true, true);
            List<VectorRecord> records = new ArrayList<>(page.docs().size());
            for (Integer doc : page.docs()) records.add(loaded.get(doc));
            return new RecordPage(records, page.more());
        });
    }

    /** Fetches records by id; the map keeps the request's order and omits ids that do not exist. */
    public Read<Map<String, VectorRecord>> fetch(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", Limits.MAX_FETCH_IDS);
        return engine.read(s -> {
            List<BytesRef> keys = new ArrayList<>(ids.size());
            for (String id : ids) keys.add(new BytesRef(RecordFields.key(ns, id)));
            List<Integer> docs = RecordQueries.matchingDocs(s, new TermInSetQuery(RecordFields.KEY, keys));
            Map<String, VectorRecord> byId = new HashMap<>();
            for (VectorRecord r : StoredRecords.load(s, docs, true, true).values()) byId.put(r.id(), r);
            Map<String, VectorRecord> out = new LinkedHashMap<>();
            for (String id : ids) {
                VectorRecord r = byId.get(id);
                if (r != null) out.put(id, r);
            }
            return out;
        });
    }

    /** Whether a query now would run without waiting for a refresh or the disk ({@link StorageEngine#searchStaysInMemory}). */
    public boolean searchStaysInMemory() {
        return engine.searchStaysInMemory();
    }

    public Read<List<ScoredRecord>> query(QuerySpec q) {
        String ns = Limits.namespace(q.namespace());
        Limits.topK(q.topK());
        Query filter = q.filter() == null || q.filter().isEmpty() ? null : FilterQueries.toQuery(q.filter(), writes.indexing(ns));
        int given = (q.vector() != null && q.vector().length > 0 ? 1 : 0) + (q.id() != null && !q.id().isEmpty() ? 1 : 0);
        SparseVector sparse = Limits.sparse(q.sparse(), "the query");
        if (given > 1) throw ConiferException.invalid("Query by either a vector or an id, not both");
        return engine.search(s -> queries.run(s, ns, q, filter, sparse));
    }

    public Read<ListPage> list(String namespace, String prefix, int limit, String afterId) {
        return engine.list(namespace, prefix, limit, afterId);
    }

    /**
     * Live record counts per non-empty namespace, optionally only of records matching {@code filter},
     * which may name only fields every namespace indexes: a count in a namespace that left one out
     * would be wrong, not smaller.
     */
    public Read<IndexStats> stats(Map<String, Object> filter) {
        return engine.stats(filter == null || filter.isEmpty() ? null : FilterQueries.toQuery(filter, writes.indexingEverywhere()));
    }

    public Read<SortedMap<String, NamespaceInfo>> namespaces() {
        return engine.namespaces();
    }

    public boolean namespaceExists(String namespace) {
        return engine.namespaceExists(namespace);
    }

    public long count(String namespace) {
        return engine.count(namespace);
    }

    /** Bitwise ("C" collation) order of the UTF-8 encodings, as Pinecone documents for listings. */
    public static int bitwise(String a, String b) {
        return RecordQueries.bitwise(a, b);
    }
}
