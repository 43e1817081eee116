package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of a documents search body, on the schema of {@link RelevanceTest}. */
class SearchRequestsTest {
    static DocumentSearch parse(String body) {
        return SearchRequests.parse(RelevanceTest.SCHEMA, RelevanceTest.json(body));
    }

    @Test
    void eachClauseTypeParses() {
        DocumentSearch dense = parse("{\"top_k\":5,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"embedding\"],\"values\":[1,0,0.5]}]}");
        DocumentSearch.Dense d = assertInstanceOf(DocumentSearch.Dense.class, dense.scoreBy());
        assertEquals("embedding", d.field());
        assertArrayEquals(new float[] {1, 0, 0.5f}, d.vector());
        assertEquals(5, dense.topK());
        assertNull(dense.filter());

        DocumentSearch sparse = parse("{\"top_k\":1,\"score_by\":[{\"type\":\"sparse_vector\",\"field\":\"keywords\","
                + "\"sparse_values\":{\"indices\":[9,2],\"values\":[0.5,1]}}],\"filter\":{\"genre\":\"x\"}}");
        DocumentSearch.Sparse s = assertInstanceOf(DocumentSearch.Sparse.class, sparse.scoreBy());
        assertArrayEquals(new int[] {2, 9}, s.vector().indices(), "indices sorted");
        assertNotNull(sparse.filter());

        DocumentSearch text = parse("{\"top_k\":10,\"score_by\":[{\"type\":\"text\",\"field\":\"body\",\"query\":\"  vector  \"}],"
                + "\"filter\":{\"title\":{\"$match_any\":\"vector\"}}}");
        assertInstanceOf(DocumentSearch.Lexical.class, text.scoreBy());
        assertNotNull(text.filter(), "search allows text-match operators");
        assertNull(parse("{\"top_k\":10,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}],\"filter\":{}}").filter());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"top_k\":1}|score_by is required",
        "{\"top_k\":1,\"score_by\":[]}|1 to 100 scoring clauses",
        "{\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}]}|top_k is required",
        "{\"top_k\":0,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}]}|between 1 and 10000",
        "{\"top_k\":10001,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}]}|between 1 and 10000",
        "{\"top_k\":1.5,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}]}|whole number",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"bm25\"}]}|Unknown score_by type 'bm25'",
        "{\"top_k\":1,\"score_by\":[{\"query\":\"x\"}]}|needs a type",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"query\":\"x\"}]}|needs fields",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"field\":\"body\",\"fields\":[\"body\"],\"query\":\"x\"}]}|either fields or field, not both",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[],\"query\":\"x\"}]}|non-empty list",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"genre\"],\"query\":\"x\"}]}|'genre' is not a field of the index schema",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"embedding\"],\"query\":\"x\"}]}|'embedding' is a dense_vector field",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"   \"}]}|query is empty",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"]}]}|needs a query",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"query_string\",\"fields\":[\"body\"],\"query\":\"x\"}]}|takes no field or fields",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"embedding\",\"embedding\"],\"values\":[1,0,0]}]}|exactly one field",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"body\"],\"values\":[1,0,0]}]}|'body' is a full-text string field",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"embedding\"],\"values\":[1,0]}]}|dimension 2 does not match",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"embedding\"],\"values\":[0,0,0]}]}|non-zero",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"dense_vector\",\"fields\":[\"embedding\"]}]}|values of the dense_vector clause are required",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"sparse_vector\",\"fields\":[\"embedding\"],\"sparse_values\":{\"indices\":[1],\"values\":[1]}}]}|needs a sparse_vector field",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"sparse_vector\",\"fields\":[\"keywords\"],\"sparse_values\":{\"indices\":[1,1],\"values\":[1,2]}}]}|repeats index 1",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"sparse_vector\",\"fields\":[\"keywords\"]}]}|needs sparse_values",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"x\"},{\"type\":\"dense_vector\",\"fields\":[\"embedding\"],\"values\":[1,0,0]}]}|Multiple scoring clauses must use text or query_string",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}],\"filter\":[1]}|filter must be a JSON object",
        "{\"top_k\":1,\"score_by\":[{\"type\":\"query_string\",\"query\":\"x\"}],\"filter\":{\"body\":{\"$in\":[\"x\"]}}}|full-text field",
    })
    void brokenRulesAreInvalidArguments(String body, String messagePart) {
        ConiferException e = assertThrows(ConiferException.class, () -> parse(body));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(messagePart), "'" + e.getMessage() + "' should mention '" + messagePart + "'");
    }

    @Test
    void queriesAreBoundedByBytesAndTerms() {
        String big = "a".repeat(SearchRequests.MAX_QUERY_BYTES + 1);
        ConiferException e = assertThrows(ConiferException.class,
                () -> parse("{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\"],\"query\":\"" + big + "\"}]}"));
        assertTrue(e.getMessage().contains("10240"), e.getMessage());
        // As many words as 10 KB holds are searched (Lucene's default of 1,024 clauses would refuse them)...
        String words = "w ".repeat(SearchRequests.MAX_QUERY_BYTES / 2 - 1);
        parse("{\"top_k\":1,\"score_by\":[{\"type\":\"text\",\"fields\":[\"body\",\"title\"],\"query\":\"" + words + "\"}]}");
        // ...and what many clauses over several fields add up to is bounded.
        StringBuilder clauses = new StringBuilder();
        String hundred = "word ".repeat(100).trim();
        for (int i = 0; i < 100; i++) {
            clauses.append(i == 0 ? "" : ",").append("{\"type\":\"text\",\"fields\":[\"body\",\"title\"],\"query\":\"")
                    .append(hundred).append("\"}");
        }
        e = assertThrows(ConiferException.class, () -> parse("{\"top_k\":1,\"score_by\":[" + clauses + "]}"));
        assertTrue(e.getMessage().contains("20000 terms; at most 16384"), e.getMessage());
    }
}
