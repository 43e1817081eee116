package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.store.MatchedParts;
import io.conifer.store.PartsLogged;
import io.conifer.store.PinnedSearcher;
import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import io.conifer.store.RecordStore;
import io.conifer.store.StorageEngine;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.IndexStats;
import io.conifer.vectors.Limits;
import io.conifer.vectors.ListPage;
import io.conifer.vectors.NamespaceInfo;
import io.conifer.vectors.Read;
import io.conifer.vectors.Written;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;

/**
 * One document index: documents as a record shape over the {@link StorageEngine}, which owns
 * durability, checkpoints, recovery, searchers and export exactly as for vector records. Every write
 * is checked against the schema completely before it is logged, so a rejected request changes nothing.
 * Patches read the current documents and log the whole documents they produce, under the locks of
 * those documents (by filter: of the whole index), so they are atomic and replay is idempotent.
 */
public final class DurableDocumentStore implements DocumentStore, RecordStore {
    private static final int MAX_DOCUMENTS_PER_OP = 1000;
    private static final Set<String> ID_ONLY = Set.of(RecordFields.ID);

    private final IndexSchema schema;
    private final StorageEngine<DocumentOp> engine;
    private final DocumentJson json;
    private final DocumentChecks checks;
    private final DocumentSearches searches;

    private DurableDocumentStore(IndexSchema schema, StorageEngine<DocumentOp> engine, DocumentJson json,
            SegmentNamespaces.Cache namespaces) {
        this.schema = schema;
        this.engine = engine;
        this.json = json;
        this.checks = new DocumentChecks(schema);
        this.searches = new DocumentSearches(schema, engine.options().efSearch(), namespaces);
    }

    /**
     * Opens (or creates) the store in {@code dir}, replaying any log records newer than the last
     * commit.
     */
    public static DurableDocumentStore open(Path dir, IndexSchema schema, StoreOptions options) throws IOException {
        return open(dir, schema, options, new SegmentNamespaces.Cache());
    }

    /** {@code namespaces}: what full-text searches count per segment, filled for merged segments as they merge. */
    static DurableDocumentStore open(Path dir, IndexSchema schema, StoreOptions options, SegmentNamespaces.Cache namespaces)
            throws IOException {
        DocumentJson json = new DocumentJson(schema);
        DocumentWrites writes = new DocumentWrites(json, new DocumentLayout(schema));
        StorageEngine<DocumentOp> engine = StorageEngine.open(dir, writes, TextAnalyzers.forSchema(schema),
                new MergedSegmentCounts(namespaces), options);
        return new DurableDocumentStore(schema, engine, json, namespaces);
    }

    @Override
    public IndexSchema schema() {
        return schema;
    }

    @Override
    public StorageEngine<?> engine() {
        return engine;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Written upsert(String namespace, List<DocumentRecord> documents) {
        String ns = Limits.newNamespace(namespace);
        Limits.count("document", documents.size(), MAX_DOCUMENTS_PER_OP);
        List<DocumentRecord> valid = new ArrayList<>(documents.size());
        List<String> keys = new ArrayList<>(documents.size());
        for (DocumentRecord d : documents) {
            valid.add(checks.document(d));
            keys.add(RecordFields.key(ns, d.id()));
        }
        return new Written(valid.size(), engine.write(DocumentOp.Upsert.of(ns, valid, json), keys));
    }

    /**
     * Patches of one id apply in request order. Every merged document is checked before the one log
     * record is written, so a patch that makes its document invalid (over the metadata limit, say)
     * refuses the request with nothing stored, as update by filter does.
     */
    @Override
    public Written update(String namespace, List<DocumentPatch> patches) {
        String ns = Limits.namespace(namespace);
        Limits.count("document update", patches.size(), MAX_DOCUMENTS_PER_OP);
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(patches.stream().map(DocumentPatch::id).toList()));
        Limits.ids(ids, "id", MAX_DOCUMENTS_PER_OP);
        List<String> keys = new ArrayList<>(ids.size());
        for (String id : ids) keys.add(RecordFields.key(ns, id));
        try (StorageEngine<DocumentOp>.WriteLocks held = engine.lockKeys(keys)) {
            Map<String, DocumentRecord> patched = new LinkedHashMap<>(fetch(ns, ids).result());
            for (DocumentPatch p : patches) {
                DocumentRecord current = patched.get(p.id());
                if (current != null) patched.put(p.id(), checks.patched(patch(current, p.setFields(), p.removeFields())));
            }
            if (patched.isEmpty()) return new Written(0, engine.appliedSeq());
            return new Written(patched.size(), held.logAndApply(DocumentOp.Upsert.patched(ns, List.copyOf(patched.values()), json)));
        }
    }

    /**
     * Every patched document is checked (schema, size) before the first part is logged, so a refusal
     * writes nothing. Memory holds one part, not every match (documents may be 2 MB each): a first walk
     * over one pinned view patches and checks a part at a time and keeps nothing, a second reads the same
     * parts again and logs them.
     */
    @Override
    public Written updateByFilter(String namespace, Map<String, Object> filter, Map<String, Object> setFields,
            Set<String> removeFields) {
        String ns = Limits.namespace(namespace);
        Query f = nonEmptyFilter(filter, "Update");
        try (StorageEngine<DocumentOp>.WriteLocks held = engine.lockAll(); PinnedSearcher pinned = engine.pin()) {
            Query matching = RecordQueries.inNamespace(ns, f);
            PartsLogged done = held.logCheckedParts(() -> patchedParts(pinned, ns, matching, setFields, removeFields));
            return new Written(done.docs(), done.lsn());
        }
    }

    /** The documents {@code matching} finds, patched, checked and encoded, a part (one upsert's worth) at a time. */
    private MatchedParts<DocumentOp.Upsert> patchedParts(PinnedSearcher pinned, String ns, Query matching,
            Map<String, Object> set, Set<String> remove) {
        return pinned.parts(matching, MAX_DOCUMENTS_PER_OP, (s, docs) -> {
            List<DocumentRecord> patched = new ArrayList<>(docs.size());
            List<byte[]> sources = new ArrayList<>(docs.size());
            long[] bytes = {0};
            visit(s, docs, (doc, d) -> {
                DocumentRecord p = checks.patched(patch(d, set, remove));
                byte[] source = DocumentOp.Upsert.patchedSource(p, json);
                patched.add(p);
                sources.add(source);
                bytes[0] += source.length;
                return bytes[0] < MatchedParts.MAX_BYTES;
            });
            return new MatchedParts.Part<>(new DocumentOp.Upsert(ns, patched, sources), patched.size());
        });
    }

    private static DocumentRecord patch(DocumentRecord d, Map<String, Object> set, Set<String> remove) {
        Map<String, Object> fields = new LinkedHashMap<>(d.fields());
        if (remove != null) fields.keySet().removeAll(remove);
        if (set != null) fields.putAll(set);
        return new DocumentRecord(d.id(), fields);
    }

    @Override
    public Written deleteIds(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", MAX_DOCUMENTS_PER_OP);
        List<String> keys = new ArrayList<>(ids.size());
        for (String id : ids) keys.add(RecordFields.key(ns, id));
        return new Written(ids.size(), engine.write(new DocumentOp.DeleteIds(ns, List.copyOf(ids)), keys));
    }

    /**
     * Logged as the ids the filter matched, so replay does not depend on how filters are translated; a
     * part (1000 ids) at a time from one pinned view, so memory holds one part however many match. A
     * delete cannot be refused once matched, so unlike an update there is no checking walk first.
     */
    @Override
    public Written deleteByFilter(String namespace, Map<String, Object> filter) {
        String ns = Limits.namespace(namespace);
        Query f = nonEmptyFilter(filter, "Delete");
        try (StorageEngine<DocumentOp>.WriteLocks held = engine.lockAll(); PinnedSearcher pinned = engine.pin()) {
            MatchedParts<DocumentOp.DeleteIds> parts = pinned.parts(RecordQueries.inNamespace(ns, f), MAX_DOCUMENTS_PER_OP, (s, docs) -> {
                StoredFields stored = s.storedFields();
                List<String> ids = new ArrayList<>(docs.size());
                for (int doc : docs) ids.add(stored.document(doc, ID_ONLY).get(RecordFields.ID));
                return new MatchedParts.Part<>(new DocumentOp.DeleteIds(ns, ids), ids.size());
            });
            int count = 0;
            long lsn = engine.appliedSeq();
            for (MatchedParts.Part<DocumentOp.DeleteIds> part = parts.next(); part != null; part = parts.next()) {
                lsn = held.logAndApply(part.value());
                count += part.docs();
            }
            return new Written(count, lsn);
        }
    }

    @Override
    public Written deleteAll(String namespace) {
        String ns = Limits.namespace(namespace);
        try (StorageEngine<DocumentOp>.WriteLocks held = engine.lockAll()) {
            long count = engine.count(ns);
            return new Written((int) count, held.logAndApply(new DocumentOp.DeleteAll(ns)));
        }
    }

    @Override
    public Written createNamespace(String namespace) {
        String ns = Limits.createdNamespace(namespace);
        return engine.createNamespace(ns, new DocumentOp.DeclareNamespace(ns));
    }

    @Override
    public long deleteNamespace(String namespace) {
        return engine.writeAll(new DocumentOp.DeleteNamespace(Limits.namespace(namespace)));
    }

    /** Updates and deletes select on metadata alone: the text-match operators are refused here, before anything is logged. */
    private Query nonEmptyFilter(Map<String, Object> filter, String what) {
        if (filter == null || filter.isEmpty()) throw ConiferException.invalid(what + " by filter needs a non-empty filter");
        return DocumentFilters.toQuery(schema, filter, false);
    }

    /** Reads may also match text: fetch by filter and stats take the text-match operators, as search does. */
    private Query readFilter(Map<String, Object> filter) {
        return filter == null || filter.isEmpty() ? null : DocumentFilters.toQuery(schema, filter, true);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Read<Map<String, DocumentRecord>> fetch(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", MAX_DOCUMENTS_PER_OP);
        return engine.read(s -> {
            List<BytesRef> keys = new ArrayList<>(ids.size());
            for (String id : ids) keys.add(new BytesRef(RecordFields.key(ns, id)));
            Map<String, DocumentRecord> byId = new HashMap<>();
            for (DocumentRecord d : load(s, RecordQueries.matchingDocs(s, new TermInSetQuery(RecordFields.KEY, keys))).values()) {
                byId.put(d.id(), d);
            }
            Map<String, DocumentRecord> out = new LinkedHashMap<>();
            for (String id : ids) {
                DocumentRecord d = byId.get(id);
                if (d != null) out.put(id, d);
            }
            return out;
        });
    }

    @Override
    public Read<DocumentPage> fetchByFilter(String namespace, Map<String, Object> filter, int limit, String afterId) {
        String ns = Limits.namespace(namespace);
        if (limit < 1 || limit > 10_000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 10000");
        Query f = readFilter(filter);
        return engine.read(s -> {
            RecordQueries.IdPage page = RecordQueries.matchingPage(s, ns, f, limit, afterId);
            Map<Integer, DocumentRecord> loaded = load(s, page.docs());
            List<DocumentRecord> documents = new ArrayList<>(page.docs().size());
            for (int doc : page.docs()) documents.add(loaded.get(doc));
            return new DocumentPage(documents, page.more());
        });
    }

    @Override
    public Read<ListPage> list(String namespace, String prefix, int limit, String afterId) {
        return engine.list(namespace, prefix, limit, afterId);
    }

    @Override
    public Read<List<ScoredDocument>> search(String namespace, DocumentSearch search, boolean withFields) {
        String ns = Limits.namespace(namespace);
        searches.check(search);
        return engine.read(s -> {
            List<ScoreDoc> hits = searches.run(s, ns, search);
            List<Integer> docs = new ArrayList<>(hits.size());
            for (ScoreDoc h : hits) docs.add(h.doc);
            Map<Integer, DocumentRecord> loaded = withFields ? load(s, docs) : ids(s, docs);
            List<ScoredDocument> out = new ArrayList<>(hits.size());
            for (ScoreDoc h : hits) out.add(new ScoredDocument(loaded.get(h.doc), h.score));
            return out;
        });
    }

    @Override
    public Read<IndexStats> stats(Map<String, Object> filter) {
        return engine.stats(readFilter(filter));
    }

    @Override
    public Read<SortedMap<String, NamespaceInfo>> namespaces() {
        return engine.namespaces();
    }

    /** The documents with these global doc ids, each with its id only: the stored source is not parsed. */
    private static Map<Integer, DocumentRecord> ids(IndexSearcher s, List<Integer> docs) throws IOException {
        StoredFields stored = s.storedFields();
        Map<Integer, DocumentRecord> out = new HashMap<>();
        for (int doc : docs) out.put(doc, new DocumentRecord(stored.document(doc, ID_ONLY).get(RecordFields.ID), Map.of()));
        return out;
    }

    /** The documents with these global doc ids, read from their stored source. */
    private Map<Integer, DocumentRecord> load(IndexSearcher s, List<Integer> docs) throws IOException {
        List<Integer> sorted = new ArrayList<>(docs);
        sorted.sort(null);
        Map<Integer, DocumentRecord> out = new HashMap<>();
        visit(s, sorted, (doc, d) -> {
            out.put(doc, d);
            return true;
        });
        return out;
    }

    /**
     * Reads the documents of global doc ids in increasing order from their stored source, handing each to
     * {@code visitor} until it returns false: a caller that needs one at a time never holds the rest.
     */
    private void visit(IndexSearcher s, List<Integer> sortedDocs, DocumentVisitor visitor) throws IOException {
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        int leafIndex = -1;
        StoredFields stored = null;
        int docBase = 0;
        for (int global : sortedDocs) {
            int li = ReaderUtil.subIndex(global, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                stored = leaves.get(li).reader().storedFields();
                docBase = leaves.get(li).docBase;
            }
            Document d = stored.document(global - docBase);
            BytesRef source = d.getBinaryValue(DocumentFields.SOURCE);
            DocumentRecord document = new DocumentRecord(d.get(RecordFields.ID), json.read(source.bytes, source.offset, source.length));
            if (!visitor.visit(global, document)) return;
        }
    }

    @FunctionalInterface
    private interface DocumentVisitor {
        boolean visit(int doc, DocumentRecord document);
    }
}
