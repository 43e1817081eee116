package io.conifer.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.QueryLimits;
import io.conifer.vectors.Limits;
import io.conifer.vectors.SparseVector;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * Reads the body of a documents {@code search} ({@code score_by}, {@code top_k}, {@code filter}) into a
 * {@link DocumentSearch}, enforcing the 2026-07 rules; {@code include_fields} is the caller's. Every
 * rule broken is an INVALID_ARGUMENT saying which and how to fix it.
 */
public final class SearchRequests {
    static final int MAX_CLAUSES = 100;
    static final int MAX_QUERY_BYTES = 10 * 1024;
    private static final Set<String> TEXT_TYPES = Set.of("text", "query_string");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SearchRequests() {}

    public static DocumentSearch parse(IndexSchema schema, JsonNode body) {
        if (!(body instanceof ObjectNode request)) throw ConiferException.invalid("The search request must be a JSON object");
        JsonNode scoreBy = request.get("score_by");
        if (scoreBy == null || scoreBy.isNull()) {
            throw ConiferException.invalid("score_by is required: a list of 1 to " + MAX_CLAUSES + " scoring clauses");
        }
        if (!scoreBy.isArray() || scoreBy.isEmpty() || scoreBy.size() > MAX_CLAUSES) {
            throw ConiferException.invalid("score_by must be a list of 1 to " + MAX_CLAUSES + " scoring clauses");
        }
        int topK = topK(request.get("top_k"));
        List<ObjectNode> clauses = new ArrayList<>();
        for (JsonNode c : scoreBy) {
            if (!(c instanceof ObjectNode clause)) throw ConiferException.invalid("Each score_by clause must be an object");
            clauses.add(clause);
        }
        if (clauses.size() > 1) {
            for (ObjectNode c : clauses) {
                if (!TEXT_TYPES.contains(c.path("type").asText())) {
                    throw ConiferException.invalid("Multiple scoring clauses must use text or query_string; a dense_vector or"
                            + " sparse_vector clause must appear on its own (send a filter to narrow it instead)");
                }
            }
        }
        DocumentSearch.ScoreBy score = clauses.size() == 1 ? clause(schema, clauses.get(0)) : lexical(schema, clauses);
        return new DocumentSearch(score, filter(schema, request.get("filter")), topK);
    }

    private static int topK(JsonNode n) {
        if (n == null || n.isNull()) throw ConiferException.invalid("top_k is required: the number of documents to return, 1 to " + Limits.MAX_TOP_K);
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 1 || n.intValue() > Limits.MAX_TOP_K) {
            throw ConiferException.invalid("top_k is " + n + "; it must be a whole number between 1 and " + Limits.MAX_TOP_K);
        }
        return n.intValue();
    }

    private static Query filter(IndexSchema schema, JsonNode filter) {
        if (filter == null || filter.isNull()) return null;
        if (!filter.isObject()) throw ConiferException.invalid("filter must be a JSON object");
        if (filter.isEmpty()) return null;
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(filter, Map.class);
        Query q = DocumentFilters.toQuery(schema, map, true);
        return q instanceof MatchAllDocsQuery ? null : q;
    }

    private static DocumentSearch.ScoreBy lexical(IndexSchema schema, List<ObjectNode> clauses) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (ObjectNode c : clauses) b.add(((DocumentSearch.Lexical) clause(schema, c)).query(), Occur.SHOULD);
        return new DocumentSearch.Lexical(checkedSize(b.build()));
    }

    private static DocumentSearch.ScoreBy clause(IndexSchema schema, ObjectNode c) {
        JsonNode typeNode = c.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw ConiferException.invalid("Each score_by clause needs a type: dense_vector, sparse_vector, text or query_string");
        }
        String type = typeNode.asText();
        return switch (type) {
            case "dense_vector" -> {
                String field = single(type, fields(c, type));
                if (!(schema.fields().get(field) instanceof SchemaField.DenseVector dv)) throw wrongField(schema, type, field);
                float[] values = floats(c.get("values"), "values of the dense_vector clause");
                Limits.dense(values, new VectorSpace(VectorType.DENSE, dv.dimension(), dv.metric(), null),
                        "score_by dense_vector on field '" + field + "'");
                yield new DocumentSearch.Dense(field, values);
            }
            case "sparse_vector" -> {
                String field = single(type, fields(c, type));
                if (!(schema.fields().get(field) instanceof SchemaField.SparseVector)) throw wrongField(schema, type, field);
                yield new DocumentSearch.Sparse(field, sparse(c.get("sparse_values"), field));
            }
            case "text" -> {
                List<String> names = fields(c, type);
                TextFields text = TextFields.of(schema);
                String query = query(c, type);
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                for (String name : names) {
                    TextField f = text.field(name);
                    if (f == null) throw wrongField(schema, type, name);
                    b.add(f.anyWord(query), Occur.SHOULD);
                }
                yield new DocumentSearch.Lexical(checkedSize(b.build()));
            }
            case "query_string" -> {
                if (c.has("field") || c.has("fields")) {
                    throw ConiferException.invalid("score_by type 'query_string' takes no field or fields: target a field inside"
                            + " the query with field:(...), or leave clauses unqualified to search every full-text field");
                }
                yield new DocumentSearch.Lexical(checkedSize(QueryStringParser.parse(TextFields.of(schema), query(c, type))));
            }
            default -> throw ConiferException.invalid("Unknown score_by type '" + type
                    + "'; use dense_vector, sparse_vector, text or query_string");
        };
    }

    /** {@code fields}, or the deprecated {@code field} as a one-element list; exactly one of them. */
    private static List<String> fields(ObjectNode c, String type) {
        JsonNode field = c.get("field"), fields = c.get("fields");
        boolean hasField = field != null && !field.isNull(), hasFields = fields != null && !fields.isNull();
        if (hasField && hasFields) throw ConiferException.invalid("A score_by clause takes either fields or field, not both");
        if (!hasField && !hasFields) {
            throw ConiferException.invalid("score_by type '" + type + "' needs fields: the " + ("text".equals(type)
                    ? "full-text fields" : type + " field") + " to score against");
        }
        if (hasField) {
            if (!field.isTextual()) throw ConiferException.invalid("field must be a string naming a schema field");
            return List.of(field.asText());
        }
        if (!fields.isArray() || fields.isEmpty()) throw ConiferException.invalid("fields must be a non-empty list of field names");
        List<String> out = new ArrayList<>();
        for (JsonNode f : fields) {
            if (!f.isTextual()) throw ConiferException.invalid("fields must be a list of strings naming schema fields");
            out.add(f.asText());
        }
        return out;
    }

    private static String single(String type, List<String> fields) {
        if (fields.size() != 1) {
            throw ConiferException.invalid("score_by type '" + type + "' scores exactly one field; this clause names " + fields.size());
        }
        return fields.get(0);
    }

    private static ConiferException wrongField(IndexSchema schema, String type, String field) {
        SchemaField f = schema.fields().get(field);
        String want = "text".equals(type) ? "a string field with full_text_search" : "a " + type + " field";
        String is = switch (f) {
            case null -> "is not a field of the index schema";
            case SchemaField.DenseVector d -> "is a dense_vector field";
            case SchemaField.SparseVector s -> "is a sparse_vector field";
            case SchemaField.FullTextString t -> "is a full-text string field";
            case SchemaField.FilterableMetadata m -> "is a metadata field";
        };
        return ConiferException.invalid("score_by type '" + type + "' needs " + want + ", and '" + field + "' " + is);
    }

    private static String query(ObjectNode c, String type) {
        JsonNode q = c.get("query");
        if (q == null || q.isNull()) throw ConiferException.invalid("score_by type '" + type + "' needs a query string");
        if (!q.isTextual()) throw ConiferException.invalid("query must be a string");
        String query = q.asText().strip();
        if (query.isEmpty()) throw ConiferException.invalid("query is empty; send the words to search for");
        int bytes = query.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_QUERY_BYTES) {
            throw ConiferException.invalid("query is " + bytes + " bytes; the maximum is " + MAX_QUERY_BYTES + " (10 KB)");
        }
        return query;
    }

    private static float[] floats(JsonNode n, String what) {
        if (n == null || n.isNull()) throw ConiferException.invalid(what + " are required");
        if (!n.isArray()) throw ConiferException.invalid(what + " must be a list of numbers");
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber()) throw ConiferException.invalid(what + " must be a list of numbers");
            out[i] = n.get(i).floatValue();
        }
        return out;
    }

    private static SparseVector sparse(JsonNode n, String field) {
        if (!(n instanceof ObjectNode o)) {
            throw ConiferException.invalid("The sparse_vector clause needs sparse_values: {\"indices\": [...], \"values\": [...]}");
        }
        JsonNode indices = o.get("indices");
        if (indices == null || !indices.isArray()) throw ConiferException.invalid("sparse_values.indices must be a list of integers");
        int[] idx = new int[indices.size()];
        for (int i = 0; i < idx.length; i++) {
            JsonNode v = indices.get(i);
            if (!v.isIntegralNumber() || v.longValue() < 0 || v.longValue() > 0xFFFF_FFFFL) {
                throw ConiferException.invalid("sparse_values.indices must be integers from 0 to 4294967295");
            }
            idx[i] = (int) v.longValue();
        }
        SparseVector s = Limits.sparse(new SparseVector(idx, floats(o.get("values"), "sparse_values.values")),
                "score_by sparse_vector on field '" + field + "'");
        if (s == null) throw ConiferException.invalid("sparse_values of the sparse_vector clause has no values");
        return s;
    }

    /** A text query's terms are bounded as Lucene bounds a query's clauses, refused here rather than failing the search. */
    private static Query checkedSize(Query q) {
        int[] terms = {0};
        q.visit(new QueryVisitor() {
            @Override
            public void consumeTerms(Query query, org.apache.lucene.index.Term... t) {
                terms[0] += t.length;
            }

            @Override
            public QueryVisitor getSubVisitor(Occur occur, Query parent) {
                return this;
            }
        });
        if (terms[0] > QueryLimits.maxClauses()) {
            throw ConiferException.invalid("The query has " + terms[0] + " terms; at most " + QueryLimits.maxClauses()
                    + " are searched at once");
        }
        return q;
    }
}
