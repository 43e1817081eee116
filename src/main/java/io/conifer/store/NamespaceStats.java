package io.conifer.store;

import io.conifer.vectors.IndexStats;
import io.conifer.vectors.NamespaceInfo;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/** Namespaces and their live record counts, read alike for every record shape. */
final class NamespaceStats {
    private NamespaceStats() {}

    /**
     * Live record counts per non-empty namespace, only of records matching {@code filter} unless it is
     * null; the total counts every record whatever the filter, as the spec's {@code totalVectorCount}
     * says ("regardless of whether a metadata filter expression was passed").
     */
    static IndexStats stats(IndexSearcher s, Query filter) throws IOException {
        SortedMap<String, Long> counts = new TreeMap<>(RecordQueries::bitwise);
        long total = 0;
        for (String ns : RecordQueries.terms(s.getIndexReader(), RecordFields.NAMESPACE)) {
            long c = s.count(RecordQueries.inNamespace(ns, filter));
            if (c > 0) counts.put(ns, c);
            total += filter == null ? c : s.count(RecordQueries.inNamespace(ns, null));
        }
        return new IndexStats(counts, total);
    }

    /** Every namespace that has records or was created explicitly, with its record count and schema. */
    static SortedMap<String, NamespaceInfo> namespaces(IndexSearcher s) throws IOException {
        SortedMap<String, NamespaceInfo> out = new TreeMap<>(RecordQueries::bitwise);
        namespaceCounts(s).forEach((ns, n) -> out.put(ns, new NamespaceInfo(n, null)));
        declaredSchemas(s).forEach((ns, fields) -> out.put(ns, new NamespaceInfo(out.get(ns).records(), fields)));
        return out;
    }

    /** The metadata schema of each explicitly created namespace that has one: the fields it declares filterable. */
    static Map<String, List<String>> declaredSchemas(IndexSearcher s) throws IOException {
        Map<String, List<String>> out = new HashMap<>();
        for (String ns : RecordQueries.terms(s.getIndexReader(), RecordFields.DECLARED_NAMESPACE)) {
            List<Integer> markers = RecordQueries.matchingDocs(s, new TermQuery(new Term(RecordFields.DECLARED_NAMESPACE, ns)));
            if (markers.isEmpty()) continue;
            String[] fields = s.storedFields().document(markers.get(0)).getValues(RecordFields.NAMESPACE_SCHEMA);
            if (fields.length > 0) out.put(ns, List.of(fields));
        }
        return out;
    }

    static SortedMap<String, Long> namespaceCounts(IndexSearcher s) throws IOException {
        SortedMap<String, Long> out = new TreeMap<>(RecordQueries::bitwise);
        for (String ns : RecordQueries.terms(s.getIndexReader(), RecordFields.NAMESPACE)) {
            long c = s.count(RecordQueries.namespaceQuery(ns));
            if (c > 0) out.put(ns, c);
        }
        for (String ns : RecordQueries.terms(s.getIndexReader(), RecordFields.DECLARED_NAMESPACE)) {
            if (s.count(new TermQuery(new Term(RecordFields.DECLARED_NAMESPACE, ns))) > 0) out.putIfAbsent(ns, 0L);
        }
        return out;
    }
}
