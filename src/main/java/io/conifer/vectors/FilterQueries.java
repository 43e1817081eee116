package io.conifer.vectors;

import io.conifer.error.ConiferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Translates a Pinecone metadata filter ({@code $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or},
 * with {@code {"field": value}} as shorthand for {@code $eq}) into a Lucene query over
 * {@link MetadataFields}. {@code $ne} and {@code $nin} are the complements of {@code $eq} and
 * {@code $in}, so they also match records that lack the field. Any malformed filter is rejected with
 * INVALID_ARGUMENT naming the problem, before anything runs.
 */
public final class FilterQueries {
    static {
        QueryLimits.install(); // a filter's $or and $and are built into one BooleanQuery
    }

    private FilterQueries() {}

    /** {@code filterable}: the metadata fields filters may use (a document index: every one). */
    public static Query toQuery(Map<String, Object> filter, MetadataIndexing filterable) {
        if (filter == null || filter.isEmpty()) return new MatchAllDocsQuery();
        return object(filter, filterable);
    }

    private static Query object(Map<String, Object> filter, MetadataIndexing filterable) {
        if (filter.isEmpty()) throw ConiferException.invalid("Invalid filter: an empty object is not a condition");
        List<Query> clauses = new ArrayList<>();
        for (Map.Entry<String, Object> e : filter.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            switch (key) {
                case "$and" -> clauses.add(combine(key, value, Occur.FILTER, filterable));
                case "$or" -> clauses.add(combine(key, value, Occur.SHOULD, filterable));
                default -> {
                    if (key.startsWith("$")) {
                        throw ConiferException.invalid("Invalid filter: unknown top-level operator '" + key
                                + "'; use $and, $or or a metadata field name");
                    }
                    clauses.add(field(key, value, filterable));
                }
            }
        }
        return and(clauses);
    }

    private static Query combine(String op, Object value, Occur occur, MetadataIndexing filterable) {
        if (!(value instanceof List<?> items) || items.isEmpty()) {
            throw ConiferException.invalid("Invalid filter: " + op + " takes a non-empty array of filter objects");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Object item : items) {
            b.add(object(asObject(op, item), filterable), occur);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(String op, Object item) {
        if (item instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw ConiferException.invalid("Invalid filter: every element of " + op + " must be an object");
    }

    private static Query field(String key, Object condition, MetadataIndexing filterable) {
        String leftOutBy = filterable.leftOutBy(key);
        if (leftOutBy != null) {
            throw ConiferException.invalid("Invalid filter: metadata field '" + key
                    + "' is not filterable; " + leftOutBy + " declares the filterable fields");
        }
        if (!(condition instanceof Map<?, ?>)) return eq(key, condition);
        Map<String, Object> ops = asObject(key, condition);
        if (ops.isEmpty()) throw ConiferException.invalid("Invalid filter: field '" + key + "' has no operator");
        List<Query> clauses = new ArrayList<>();
        for (Map.Entry<String, Object> op : ops.entrySet()) {
            Object v = op.getValue();
            clauses.add(switch (op.getKey()) {
                case "$eq" -> eq(key, v);
                case "$ne" -> not(eq(key, v));
                case "$gt" -> range(key, op.getKey(), v, false, null, false);
                case "$gte" -> range(key, op.getKey(), v, true, null, false);
                case "$lt" -> range(key, op.getKey(), null, false, v, false);
                case "$lte" -> range(key, op.getKey(), null, false, v, true);
                case "$in" -> in(key, op.getKey(), v);
                case "$nin" -> not(in(key, op.getKey(), v));
                case "$exists" -> exists(key, v);
                default -> throw ConiferException.invalid("Invalid filter: unsupported operator '" + op.getKey()
                        + "' on field '" + key + "'; supported: $eq $ne $gt $gte $lt $lte $in $nin $exists");
            });
        }
        return and(clauses);
    }

    private static Query eq(String key, Object v) {
        if (v instanceof String s) return new TermQuery(MetadataFields.stringTerm(key, s));
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == 0 ? DoublePoint.newSetQuery(MetadataFields.numberField(key), -0.0, 0.0)
                    : DoublePoint.newExactQuery(MetadataFields.numberField(key), d);
        }
        if (v instanceof Boolean b) return new TermQuery(new Term(MetadataFields.boolField(key), b.toString()));
        throw ConiferException.invalid("Invalid filter: field '" + key
                + "' must be compared with a string, number or boolean, not " + describe(v));
    }

    private static Query range(String key, String op, Object lower, boolean lowerIncl, Object upper, boolean upperIncl) {
        Object v = lower != null ? lower : upper;
        if (!(v instanceof Number n)) {
            throw ConiferException.invalid("Invalid filter: " + op + " on field '" + key + "' takes a number, not "
                    + describe(v));
        }
        double d = n.doubleValue();
        double lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
        // Points order -0.0 below 0.0, but as numbers they are equal (a stored -0.0 is a zero), so an
        // inclusive bound at zero takes both and an exclusive one neither.
        if (lower != null) lo = lowerIncl ? (d == 0 ? -0.0 : d) : Math.nextUp(d == 0 ? 0.0 : d);
        if (upper != null) hi = upperIncl ? (d == 0 ? 0.0 : d) : Math.nextDown(d == 0 ? -0.0 : d);
        return DoublePoint.newRangeQuery(MetadataFields.numberField(key), lo, hi);
    }

    private static Query in(String key, String op, Object v) {
        if (!(v instanceof List<?> items)) {
            throw ConiferException.invalid("Invalid filter: " + op + " on field '" + key + "' takes an array");
        }
        if (items.isEmpty()) return new MatchNoDocsQuery();
        List<BytesRef> strings = new ArrayList<>();
        List<BytesRef> longStrings = new ArrayList<>();
        List<Double> numbers = new ArrayList<>();
        List<BytesRef> bools = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof String s) {
                Term t = MetadataFields.stringTerm(key, s);
                (t.field().equals(MetadataFields.stringField(key)) ? strings : longStrings).add(t.bytes());
            } else if (item instanceof Number n) {
                numbers.add(n.doubleValue());
                if (n.doubleValue() == 0) numbers.add(-n.doubleValue()); // -0.0 and 0.0 are the same number
            } else if (item instanceof Boolean b) bools.add(new BytesRef(b.toString()));
            else throw ConiferException.invalid("Invalid filter: " + op + " on field '" + key
                    + "' takes strings, numbers or booleans, not " + describe(item));
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (!strings.isEmpty()) b.add(new TermInSetQuery(MetadataFields.stringField(key), strings), Occur.SHOULD);
        if (!longStrings.isEmpty()) b.add(new TermInSetQuery(MetadataFields.longStringField(key), longStrings), Occur.SHOULD);
        if (!numbers.isEmpty()) {
            double[] ds = numbers.stream().mapToDouble(Double::doubleValue).toArray();
            b.add(DoublePoint.newSetQuery(MetadataFields.numberField(key), ds), Occur.SHOULD);
        }
        if (!bools.isEmpty()) b.add(new TermInSetQuery(MetadataFields.boolField(key), bools), Occur.SHOULD);
        return b.build();
    }

    private static Query exists(String key, Object v) {
        if (!(v instanceof Boolean b)) {
            throw ConiferException.invalid("Invalid filter: $exists on field '" + key + "' takes true or false");
        }
        Query present = new TermQuery(new Term(MetadataFields.KEYS, key));
        return b ? present : not(present);
    }

    private static Query not(Query q) {
        return new BooleanQuery.Builder()
                .add(new MatchAllDocsQuery(), Occur.FILTER)
                .add(q, Occur.MUST_NOT)
                .build();
    }

    private static Query and(List<Query> clauses) {
        if (clauses.size() == 1) return clauses.get(0);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : clauses) b.add(q, Occur.FILTER);
        return b.build();
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof List) return "an array";
        if (v instanceof Map) return "an object";
        return v.getClass().getSimpleName().toLowerCase();
    }
}
