package io.conifer.documents;

import io.conifer.store.RecordFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.IOFunction;
import org.apache.lucene.util.SparseFixedBitSet;

/**
 * The namespaces of one segment, as counting a namespace's share of its statistics needs them. When one
 * namespace holds more of the segment's records than all the others together (the usual shape: one big
 * tenant beside small ones), its counts are the segment's less the others', so counting walks only the
 * others' documents, which this keeps. A segment's postings never change (deleted documents stay in them
 * until a merge), so all of it, each field's {@link FieldShares} too, is made once per segment.
 */
final class SegmentNamespaces {
    private final List<BytesRef> names;
    private final int majority;
    private final BitSet others;
    private final int otherCount;
    private final ConcurrentHashMap<String, FieldShares> fields = new ConcurrentHashMap<>();

    private SegmentNamespaces(List<BytesRef> names, int majority, BitSet others, int otherCount) {
        this.names = names;
        this.majority = majority;
        this.others = others;
        this.otherCount = otherCount;
    }

    static SegmentNamespaces of(LeafReader segment) throws IOException {
        Terms terms = segment.terms(RecordFields.NAMESPACE);
        if (terms == null) return new SegmentNamespaces(List.of(), -1, null, 0);
        List<BytesRef> names = new ArrayList<>();
        int largest = -1, largestCount = 0;
        long records = 0;
        TermsEnum te = terms.iterator();
        for (BytesRef name = te.next(); name != null; name = te.next()) {
            if (te.docFreq() > largestCount) {
                largest = names.size();
                largestCount = te.docFreq();
            }
            records += te.docFreq();
            names.add(BytesRef.deepCopyOf(name));
        }
        int otherCount = (int) (records - largestCount);
        if (largestCount <= otherCount) return new SegmentNamespaces(names, -1, null, 0);
        int maxDoc = segment.maxDoc();
        // Sparse or dense as Lucene's own BitSet.of would choose: memory follows the documents kept.
        BitSet others = otherCount < maxDoc >>> 7 ? new SparseFixedBitSet(maxDoc) : new FixedBitSet(maxDoc);
        int majority = largest;
        forEachMember(segment, names, (ns, doc) -> {
            if (ns != majority) others.set(doc);
        });
        return new SegmentNamespaces(names, majority, others, otherCount);
    }

    int size() {
        return names.size();
    }

    /** Whether {@code namespace} holds more of the segment's records than every other together. */
    boolean isMajority(BytesRef namespace) {
        return majority >= 0 && names.get(majority).equals(namespace);
    }

    /** With a majority, the documents of every other namespace; otherwise null. */
    DocIdSetIterator others() {
        return others == null ? null : new BitSetIterator(others, otherCount);
    }

    interface MemberVisitor {
        void visit(int namespace, int doc);
    }

    /** Visits each record (deleted ones too) with the index of its namespace in term order. */
    void forEachMember(LeafReader segment, MemberVisitor visitor) throws IOException {
        forEachMember(segment, names, visitor);
    }

    private static void forEachMember(LeafReader segment, List<BytesRef> names, MemberVisitor visitor) throws IOException {
        TermsEnum te = segment.terms(RecordFields.NAMESPACE).iterator();
        PostingsEnum docs = null;
        for (int ns = 0; ns < names.size(); ns++) {
            if (!te.seekExact(names.get(ns))) continue;
            docs = te.postings(docs, PostingsEnum.NONE);
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) visitor.visit(ns, doc);
        }
    }

    /** {@code namespace}'s share of {@code field} here; null when none of its documents here has the field. */
    FieldShares.Share share(LeafReader segment, String field, BytesRef namespace) throws IOException {
        int ns = Collections.binarySearch(names, namespace);
        return ns < 0 ? null : shares(segment, field).of(ns);
    }

    /** Every namespace's share of {@code field} here, counted once. */
    private FieldShares shares(LeafReader segment, String field) throws IOException {
        return computeIfAbsent(fields, field, f -> FieldShares.count(segment, f, this));
    }

    /**
     * Concurrent first searches of a new segment wait for one count rather than each make their own;
     * counting reads postings and never calls back into the map.
     */
    private static <K, V> V computeIfAbsent(ConcurrentHashMap<K, V> map, K key, IOFunction<K, V> compute) throws IOException {
        try {
            return map.computeIfAbsent(key, k -> {
                try {
                    return compute.apply(k);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Each segment's namespaces, kept while the segment is open: keyed by its core, which every reader of
     * the segment shares (the writer's merged-segment warmer's and each later near-real-time reader's).
     */
    static final class Cache {
        private final ConcurrentHashMap<IndexReader.CacheKey, SegmentNamespaces> bySegment = new ConcurrentHashMap<>();

        /**
         * Counts now what the first search of {@code segment} would, for every namespace: its namespaces and
         * each full-text field's shares. Nothing in a segment of one namespace, which searches read as it is.
         */
        void countAll(LeafReader segment) throws IOException {
            Terms namespaces = segment.terms(RecordFields.NAMESPACE);
            if (namespaces == null || namespaces.size() == 1) return;
            List<String> text = new ArrayList<>();
            for (FieldInfo field : segment.getFieldInfos()) {
                if (DocumentFields.isText(field.name) && field.getIndexOptions() != IndexOptions.NONE) text.add(field.name);
            }
            if (text.isEmpty()) return;
            SegmentNamespaces counts = of(segment);
            for (String field : text) counts.shares(segment, field);
        }

        /** Whether {@code segment}'s shares of {@code field} are kept (for tests). */
        boolean holds(LeafReader segment, String field) {
            IndexReader.CacheHelper core = segment.getCoreCacheHelper();
            SegmentNamespaces counts = core == null ? null : bySegment.get(core.getKey());
            return counts != null && counts.fields.containsKey(field);
        }

        SegmentNamespaces of(LeafReader segment) throws IOException {
            IndexReader.CacheHelper core = segment.getCoreCacheHelper();
            if (core == null) return SegmentNamespaces.of(segment);
            return computeIfAbsent(bySegment, core.getKey(), key -> {
                SegmentNamespaces namespaces = SegmentNamespaces.of(segment);
                core.addClosedListener(bySegment::remove);
                return namespaces;
            });
        }
    }
}
