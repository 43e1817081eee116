package io.conifer.api.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.SparseValues;
import io.conifer.vectors.Limits;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A search_records request ({@code SearchRecordsRequest}, snake_case) read as the query it asks for:
 * {@code query.top_k}, {@code query.filter} and exactly one of {@code query.vector} (dense
 * {@code values} and/or {@code sparse_values} with {@code sparse_indices}) or {@code query.id}. What
 * needs hosted models ({@code inputs}, {@code match_terms}, {@code rerank}) is refused by name. Only
 * this operation's own shape is checked here; the query checks the rest (dimension, metric, index
 * kind, filter, ids, per-version rules), so both answer alike. Numbers become the floats the query's
 * JSON reader makes of the same text (a double, narrowed), so scores match the query's bit for bit.
 * Unknown fields are ignored, as the vector operations' proto3 JSON ignores them.
 *
 * @param fields the metadata fields each hit shows, in this order; null for all of them
 */
record RecordsSearchRequest(QueryRequest query, Set<String> fields) {
    /** Nesting as deep as the query's reader allows (a filter's $and/$or), worded by {@link DataPlaneErrors}. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(DataPlaneErrors.MAX_NESTING).build())
            .build());

    private static final String SEARCH_WITH = "search with query.vector (values and/or sparse_values with sparse_indices)"
            + " or query.id";

    static RecordsSearchRequest read(byte[] body, String namespace, DataRules rules) throws IOException {
        JsonNode root = body.length == 0 ? null : JSON.readTree(body);
        if (!(root instanceof ObjectNode request)) {
            throw ConiferException.invalid("The search_records request must be a JSON object with a 'query', such as"
                    + " {\"query\":{\"top_k\":10,\"vector\":{\"values\":[0.1,0.2]}}}");
        }
        if (present(request, "rerank")) {
            throw ConiferException.invalid("rerank needs a hosted reranking model, which Conifer does not have: send the"
                    + " search without rerank");
        }
        if (!(request.get("query") instanceof ObjectNode query)) {
            throw ConiferException.invalid("The search_records request needs 'query', an object with top_k and a vector"
                    + " or an id");
        }
        if (present(query, "inputs")) {
            throw ConiferException.invalid("Searching with text (query.inputs) needs an index with integrated embedding, which"
                    + " Conifer does not have (it hosts no embedding models): " + SEARCH_WITH);
        }
        if (present(query, "match_terms")) {
            throw ConiferException.invalid("query.match_terms is supported only by sparse indexes with integrated embedding,"
                    + " which Conifer does not have: narrow the hits with a metadata filter in query.filter");
        }
        QueryRequest.Builder b = QueryRequest.newBuilder().setNamespace(namespace).setTopK(topK(query.get("top_k")));
        boolean byVector = present(query, "vector");
        boolean byId = present(query, "id");
        if (byVector && byId) throw ConiferException.invalid("query.vector and query.id exclude each other: " + SEARCH_WITH);
        if (!byVector && !byId) {
            throw ConiferException.invalid("The search_records query needs a vector or an id: " + SEARCH_WITH);
        }
        if (byVector) vector(query.get("vector"), b, rules);
        else b.setId(id(query.get("id")));
        if (present(query, "filter")) b.setFilter(Structs.toStruct(filter(query.get("filter"))));
        Set<String> fields = fields(request.get("fields"));
        // The store reads no metadata for hits that show none.
        b.setIncludeMetadata(fields == null || !fields.isEmpty());
        return new RecordsSearchRequest(b.build(), fields);
    }

    private static boolean present(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && !v.isNull();
    }

    private static int topK(JsonNode k) {
        String range = "from 1 to " + Limits.MAX_TOP_K;
        if (k == null || k.isNull()) {
            throw ConiferException.invalid("query.top_k is required: the number of hits to return, " + range);
        }
        if (!k.isNumber() || !k.canConvertToExactIntegral() || !k.canConvertToInt() || k.intValue() < 1
                || k.intValue() > Limits.MAX_TOP_K) {
            throw ConiferException.invalid("query.top_k is " + k + "; it must be an integer " + range);
        }
        return k.intValue();
    }

    private static void vector(JsonNode v, QueryRequest.Builder b, DataRules rules) {
        if (!(v instanceof ObjectNode vector)) {
            throw ConiferException.invalid("query.vector must be an object with values and/or sparse_values and sparse_indices");
        }
        float[] dense = floats(vector.get("values"), "query.vector.values");
        for (float f : dense) b.addVector(f);
        float[] sparseValues = floats(vector.get("sparse_values"), "query.vector.sparse_values");
        JsonNode indices = vector.get("sparse_indices");
        if (indices != null && !indices.isNull() && !indices.isArray()) {
            throw ConiferException.invalid("query.vector.sparse_indices must be an array of integers");
        }
        if (sparseValues.length > 0 || indices != null && indices.size() > 0) {
            SparseValues.Builder sparse = SparseValues.newBuilder();
            for (float f : sparseValues) sparse.addValues(f);
            if (indices != null) for (JsonNode i : indices) sparse.addIndices(sparseIndex(i, rules.maxRecordsSparseIndex()));
            b.setSparseVector(sparse); // the query checks both lengths agree
        } else if (dense.length == 0) {
            throw ConiferException.invalid("query.vector needs values (dense) and/or sparse_values with sparse_indices (sparse)");
        }
    }

    private static float[] floats(JsonNode array, String name) {
        if (array == null || array.isNull()) return new float[0];
        if (!array.isArray()) throw ConiferException.invalid(name + " must be an array of numbers");
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber()) throw ConiferException.invalid(name + "[" + i + "] is " + n + "; it must be a number");
            out[i] = (float) n.doubleValue();
        }
        return out;
    }

    /** An index as the spec's type allows; returned as the bits of the query's uint32. */
    private static int sparseIndex(JsonNode i, long max) {
        if (!i.isNumber() || !i.canConvertToExactIntegral() || !i.canConvertToLong() || i.longValue() < 0
                || i.longValue() > max) {
            throw ConiferException.invalid("query.vector.sparse_indices holds " + i + "; each must be an integer from 0 to "
                    + max);
        }
        return (int) i.longValue();
    }

    private static String id(JsonNode v) {
        if (!v.isTextual()) {
            throw ConiferException.invalid("query.id must be a string: the id of the record whose vector to search with");
        }
        Limits.id(v.textValue());
        return v.textValue();
    }

    private static Map<String, Object> filter(JsonNode f) {
        if (!f.isObject()) throw ConiferException.invalid("query.filter must be an object: a metadata filter, as a query's");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(f, Map.class);
        return map;
    }

    private static Set<String> fields(JsonNode f) {
        if (f == null || f.isNull()) return null;
        if (!f.isArray()) throw ConiferException.invalid("fields must be an array of the metadata field names to return");
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode name : f) {
            if (!name.isTextual()) {
                throw ConiferException.invalid("fields holds " + name + "; each must be a field name (a string)");
            }
            out.add(name.textValue());
        }
        // "*" asks for every field (the Python SDK sends it by default), as in the documents API.
        return out.contains("*") ? null : out;
    }
}
