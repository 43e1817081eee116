package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.FilterQueries;
import io.conifer.vectors.MetadataIndexing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;

/**
 * A document filter as a Lucene query: the metadata operators as for vector records
 * ({@link FilterQueries}, every metadata field filterable), plus the text-match operators on
 * full-text fields, whose string is analysed as the field is: {@code $match_phrase} (the words in
 * order, adjacent), {@code $match_all} (every word, any order), {@code $match_any} (at least one).
 * Search and fetch allow text matches; a filtered delete or update selects on metadata alone.
 */
public final class DocumentFilters {
    public static final Set<String> TEXT_MATCH = Set.of("$match_phrase", "$match_all", "$match_any");

    private final IndexSchema schema;
    private final TextFields text;
    private final boolean textMatch;

    private DocumentFilters(IndexSchema schema, boolean textMatch) {
        this.schema = schema;
        this.text = TextFields.of(schema);
        this.textMatch = textMatch;
    }

    /**
     * The documents {@code filter} selects; null or empty selects every one. {@code textMatch} false
     * (delete, update) refuses the text-match operators with a 400 naming the operator.
     */
    public static Query toQuery(IndexSchema schema, Map<String, Object> filter, boolean textMatch) {
        if (filter == null || filter.isEmpty()) return new MatchAllDocsQuery();
        return new DocumentFilters(schema, textMatch).object(filter);
    }

    private Query object(Map<String, Object> filter) {
        if (filter.isEmpty()) throw ConiferException.invalid("Invalid filter: an empty object is not a condition");
        List<Query> clauses = new ArrayList<>();
        for (Map.Entry<String, Object> e : filter.entrySet()) {
            String key = e.getKey();
            switch (key) {
                case "$and" -> clauses.add(combine(key, e.getValue(), Occur.FILTER));
                case "$or" -> clauses.add(combine(key, e.getValue(), Occur.SHOULD));
                default -> clauses.add(field(key, e.getValue()));
            }
        }
        if (clauses.size() == 1) return clauses.get(0);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : clauses) b.add(q, Occur.FILTER);
        return b.build();
    }

    private Query combine(String op, Object value, Occur occur) {
        if (!(value instanceof List<?> items) || items.isEmpty()) {
            throw ConiferException.invalid("Invalid filter: " + op + " takes a non-empty array of filter objects");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m)) throw ConiferException.invalid("Invalid filter: every element of " + op + " must be an object");
            b.add(object(cast(m)), occur);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private Query field(String key, Object condition) {
        Map<String, Object> ops = condition instanceof Map<?, ?> m ? cast(m) : Map.of();
        for (String op : ops.keySet()) {
            if (TEXT_MATCH.contains(op) && !textMatch) {
                throw ConiferException.invalid("Invalid filter: the text-match operator " + op + " is supported only in search"
                        + " and fetch; a filtered delete or update selects documents on metadata alone. Search for the"
                        + " documents first and use their ids");
            }
        }
        TextField textField = text.field(key);
        if (textField != null) return textMatch(textField, condition);
        SchemaField declared = schema.fields().get(key);
        if (declared != null) {
            throw ConiferException.invalid("Invalid filter: '" + key + "' is a " + (declared instanceof SchemaField.DenseVector
                    ? "dense_vector" : "sparse_vector") + " field; filters apply to metadata and full-text fields");
        }
        for (String op : ops.keySet()) {
            if (TEXT_MATCH.contains(op)) {
                throw ConiferException.invalid("Invalid filter: " + op + " applies to full-text fields, and '" + key
                        + "' is not one" + textFieldList());
            }
        }
        // Every metadata field of a document index is filterable: Pinecone indexes each one.
        return FilterQueries.toQuery(Map.of(key, condition), MetadataIndexing.ALL);
    }

    private String textFieldList() {
        List<String> names = text.all().stream().map(TextField::name).toList();
        return names.isEmpty() ? "; this index has none" : "; this index has " + String.join(", ", names);
    }

    private Query textMatch(TextField field, Object condition) {
        if (!(condition instanceof Map<?, ?> m) || m.isEmpty()) {
            throw ConiferException.invalid("Invalid filter: '" + field.name() + "' is a full-text field; filter it with"
                    + " {\"$match_phrase\": \"...\"}, {\"$match_all\": \"...\"} or {\"$match_any\": \"...\"}");
        }
        List<Query> clauses = new ArrayList<>();
        for (Map.Entry<String, Object> op : cast(m).entrySet()) {
            String name = op.getKey();
            if (!TEXT_MATCH.contains(name)) {
                throw ConiferException.invalid("Invalid filter: '" + field.name() + "' is a full-text field, which " + name
                        + " cannot compare; use $match_phrase, $match_all or $match_any");
            }
            if (!(op.getValue() instanceof String s) || s.isBlank()) {
                throw ConiferException.invalid("Invalid filter: " + name + " on field '" + field.name() + "' takes a non-empty string");
            }
            clauses.add(switch (name) {
                case "$match_phrase" -> field.phrase(s, 0);
                case "$match_all" -> field.allWords(s);
                default -> field.anyWord(s);
            });
        }
        if (clauses.size() == 1) return clauses.get(0);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : clauses) b.add(q, Occur.FILTER);
        return b.build();
    }
}
