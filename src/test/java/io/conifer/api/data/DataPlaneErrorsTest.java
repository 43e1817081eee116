package io.conifer.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import org.junit.jupiter.api.Test;

class DataPlaneErrorsTest {
    private static AggregatedHttpResponse restAnswer(Throwable cause) {
        return restAnswer(HttpMethod.POST, "/vectors/upsert", cause);
    }

    private static AggregatedHttpResponse restAnswer(HttpMethod method, String pathAndQuery, Throwable cause) {
        ServiceRequestContext ctx = ServiceRequestContext.of(HttpRequest.of(method, pathAndQuery));
        return DataPlaneErrors.rest(ctx, cause).aggregate().join();
    }

    /** The vector operations answer rpcStatus whatever their query string holds; the documents operations ErrorResponse. */
    @Test
    void theShapeOfAnErrorFollowsTheRouteNotItsQueryString() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String vectors : new String[] {"/vectors/fetch?ids=/documents/x", "/vectors/list?prefix=/documents/"}) {
            JsonNode body = json.readTree(restAnswer(HttpMethod.GET, vectors, ConiferException.invalid("bad")).contentUtf8());
            assertEquals(3, body.get("code").asInt(), vectors + ": " + body);
            assertEquals("bad", body.get("message").asText(), body.toString());
        }
        JsonNode documents = json.readTree(restAnswer(HttpMethod.POST, "/namespaces/ns/documents/search",
                ConiferException.invalid("bad")).contentUtf8());
        assertEquals("INVALID_ARGUMENT", documents.get("error").get("code").asText(), documents.toString());
        assertEquals(400, documents.get("status").asInt(), documents.toString());
    }

    @Test
    void aThrottledWriteIsA429OverRestThoughGrpcHasOneCodeForItAndTooLarge() throws Exception {
        AggregatedHttpResponse throttled = restAnswer(new ConiferException(ErrorCode.RESOURCE_EXHAUSTED, "Writes are throttled"));
        assertEquals(429, throttled.status().code());
        JsonNode body = new ObjectMapper().readTree(throttled.contentUtf8());
        assertEquals(8, body.get("code").asInt());
        assertEquals("Writes are throttled", body.get("message").asText());

        AggregatedHttpResponse tooLarge = restAnswer(new ConiferException(ErrorCode.PAYLOAD_TOO_LARGE, "too large"));
        assertEquals(413, tooLarge.status().code());
        assertEquals(8, new ObjectMapper().readTree(tooLarge.contentUtf8()).get("code").asInt());
    }
}
