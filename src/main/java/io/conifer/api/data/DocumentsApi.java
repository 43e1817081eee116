package io.conifer.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.api.TransportErrors;
import io.conifer.api.control.ControlPlaneErrors;
import io.conifer.documents.DocumentRecord;
import io.conifer.documents.DocumentSearch;
import io.conifer.documents.DocumentStore;
import io.conifer.documents.ScoredDocument;
import io.conifer.documents.SearchRequests;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DiskSpace;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexSchema;
import io.conifer.vectors.Limits;
import io.conifer.vectors.QueryLimits;
import io.conifer.vectors.ListPage;
import io.conifer.vectors.Read;
import io.conifer.vectors.Written;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents API of API 2026-07 ({@code POST /namespaces/{namespace}/documents/{operation}}) on an
 * index's data-plane port. One entry point admits every operation (key, Host and version as for the
 * vector operations, the index being a document index) and renders every failure as the 2026-07
 * {@code ErrorResponse}; each operation then only reads its request and calls the {@link DocumentStore}.
 */
final class DocumentsApi implements HttpService {
    static final String PATH = "/namespaces/{namespace}/documents/{operation}";
    private static final Logger log = LoggerFactory.getLogger(DocumentsApi.class);
    private static final String FETCH_TOKEN = "d1";
    private static final String LIST_TOKEN = "d2";
    private static final int MAX_FETCH_LIMIT = 10_000;
    private static final int MAX_LIST_LIMIT = 100;

    private final IndexDefinition index;
    private final DataPlaneAuth auth;
    private final Supplier<DocumentStore> store;

    DocumentsApi(IndexDefinition index, DataPlaneAuth auth, Supplier<DocumentStore> store) {
        this.index = index;
        this.auth = auth;
        this.store = store;
    }

    private record Answer(HttpStatus status, ObjectNode body) {}

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        // Refused by its headers: answered before its body is read (see RestRoutes).
        if (!auth.admits(req)) return answer(ctx, AggregatedHttpRequest.of(req.headers()));
        return HttpResponse.of(req.aggregate().thenApplyAsync(r -> answer(ctx, r), ctx.blockingTaskExecutor()));
    }

    private HttpResponse answer(ServiceRequestContext ctx, AggregatedHttpRequest req) {
        String versionHeader = req.headers().get(ApiVersions.HEADER);
        ApiVersion version;
        try {
            version = auth.admit(req.authority(), req.headers().get("api-key"), versionHeader);
        } catch (StatusException refused) {
            Status s = refused.getStatus();
            return switch (s.getCode()) {
                case UNAUTHENTICATED -> DataRules.forHeader(versionHeader).unauthorized(s.getDescription());
                case PERMISSION_DENIED -> error(ErrorCode.FORBIDDEN, s.getDescription());
                default -> error(ErrorCode.INVALID_ARGUMENT, s.getDescription());
            };
        }
        try {
            if (version != ApiVersion.V2026_07) {
                throw ConiferException.invalid("The documents API exists from API version 2026-07 on; send the header"
                        + " X-Pinecone-Api-Version: 2026-07 (this request " + (versionHeader == null || versionHeader.isEmpty()
                                ? "sent none" : "asked for " + versionHeader) + ")");
            }
            String namespace = ctx.pathParam("namespace");
            String operation = ctx.pathParam("operation");
            ObjectNode body = body(req);
            DocumentStore documents = store.get();
            Answer a = switch (operation) {
                case "upsert" -> upsert(documents, namespace, body);
                case "fetch" -> fetch(documents, namespace, body);
                case "list" -> list(documents, namespace, body);
                case "update" -> update(documents, namespace, body);
                case "delete" -> delete(documents, namespace, body);
                case "search" -> search(documents, namespace, body);
                default -> throw ConiferException.notFound("Not found: POST /namespaces/{namespace}/documents/" + operation
                        + "; the documents operations are upsert, search, fetch, update, delete and list");
            };
            return HttpResponse.of(a.status(), MediaType.JSON_UTF_8, a.body().toString());
        } catch (ConiferException e) {
            return error(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            ConiferException tooLarge = QueryLimits.refusal(e);
            if (tooLarge != null) return error(tooLarge.code(), tooLarge.getMessage());
            ConiferException refusedByTransport = TransportErrors.classify(ctx, e);
            if (refusedByTransport != null) return error(refusedByTransport.code(), refusedByTransport.getMessage());
            if (DiskSpace.isFull(e)) return error(ErrorCode.UNAVAILABLE, "The index's disk is full: " + e.getMessage());
            log.error("Unexpected failure of documents {} on index {}", ctx.pathParam("operation"), index.name(), e);
            return error(ErrorCode.UNKNOWN, "Internal error: " + e.getMessage());
        }
    }

    static HttpResponse error(ErrorCode code, String message) {
        return ControlPlaneErrors.response2026_07(code, message);
    }

    private static ObjectNode body(AggregatedHttpRequest req) {
        if (req.content().length() > Limits.MAX_REQUEST_BYTES) {
            throw new ConiferException(ErrorCode.PAYLOAD_TOO_LARGE, "Request size " + req.content().length()
                    + " bytes exceeds the maximum request size of " + Limits.MAX_REQUEST_BYTES + " bytes (2 MB)");
        }
        JsonNode n;
        try {
            n = DocumentsJson.JSON.readTree(req.content().array());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ConiferException.invalid("Invalid request body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!(n instanceof ObjectNode o)) throw ConiferException.invalid("The request body must be a JSON object");
        return o;
    }

    private Answer upsert(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "upsert", "documents");
        JsonNode docs = body.get("documents");
        if (docs == null || !docs.isArray()) throw ConiferException.invalid("The upsert request needs 'documents', an array of 1 to 1000 documents");
        Limits.count("document", docs.size(), Limits.MAX_UPSERT_VECTORS);
        List<DocumentRecord> records = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) records.add(DocumentsJson.document(index.schema(), docs.get(i), i));
        Written w = documents.upsert(namespace, records);
        Lsn.written(w.requestLsn());
        ObjectNode out = DocumentsJson.JSON.createObjectNode().put("upserted_count", w.count());
        return new Answer(HttpStatus.ACCEPTED, out);
    }

    private Answer fetch(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "fetch", "ids", "filter", "include_fields", "pagination_token", "limit");
        boolean byIds = present(body, "ids");
        boolean byFilter = present(body, "filter");
        if (byIds == byFilter) {
            throw ConiferException.invalid(byIds ? "'ids' and 'filter' are mutually exclusive in the document fetch request;"
                    + " send one of them" : "No 'ids' or 'filter' provided in the document fetch request. Provide at least"
                    + " one document ID in 'ids', or a metadata filter in 'filter'.");
        }
        Integer limit = limit(body, MAX_FETCH_LIMIT);
        DocumentsJson.Projection projection = DocumentsJson.Projection.forFetch(body.get("include_fields"));
        ObjectNode out = DocumentsJson.JSON.createObjectNode();
        ObjectNode found = out.putObject("documents");
        int returned;
        if (byIds) {
            if (present(body, "pagination_token")) {
                throw ConiferException.invalid("pagination_token is only valid together with 'filter': a fetch by ids is not paginated");
            }
            List<String> ids = ids(body, "ids", Limits.MAX_FETCH_IDS);
            Read<Map<String, DocumentRecord>> read = documents.fetch(namespace, ids);
            Lsn.read(read.maxIndexedLsn());
            for (String id : new LinkedHashSet<>(ids)) {
                DocumentRecord d = read.result().get(id);
                if (d != null) found.set(id, DocumentsJson.render(d, projection));
            }
            returned = found.size();
        } else {
            Map<String, Object> filter = filter(body, "a document fetch");
            PageToken token = PageToken.decode(FETCH_TOKEN, text(body, "pagination_token"));
            int pageSize = PageToken.limit(limit, token, MAX_FETCH_LIMIT);
            Read<DocumentStore.DocumentPage> read = documents.fetchByFilter(namespace, filter, pageSize, PageToken.after(token));
            Lsn.read(read.maxIndexedLsn());
            List<DocumentRecord> page = read.result().documents();
            for (DocumentRecord d : page) found.set(d.id(), DocumentsJson.render(d, projection));
            if (read.result().more()) next(out, FETCH_TOKEN, page.get(page.size() - 1).id(), pageSize);
            returned = page.size();
        }
        out.put("namespace", namespace);
        out.putObject("usage").put("read_units", Math.max(1, (returned + 9) / 10));
        return new Answer(HttpStatus.OK, out);
    }

    private Answer list(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "list", "prefix", "limit", "pagination_token");
        String prefix = text(body, "prefix");
        if (prefix != null) {
            if (prefix.length() > Limits.MAX_ID_LENGTH) {
                throw ConiferException.invalid("prefix is " + prefix.length() + " characters; the maximum is " + Limits.MAX_ID_LENGTH);
            }
            DocumentsJson.ascii(prefix, "prefix");
        }
        PageToken token = PageToken.decode(LIST_TOKEN, text(body, "pagination_token"));
        int pageSize = PageToken.limit(limit(body, MAX_LIST_LIMIT), token, MAX_LIST_LIMIT);
        Read<ListPage> read = documents.list(namespace, prefix == null || prefix.isEmpty() ? null : prefix, pageSize, PageToken.after(token));
        Lsn.read(read.maxIndexedLsn());
        ObjectNode out = DocumentsJson.JSON.createObjectNode();
        ArrayNode listed = out.putArray("documents");
        List<String> ids = read.result().ids();
        for (String id : ids) listed.addObject().put(DocumentsJson.ID, id);
        if (read.result().more()) next(out, LIST_TOKEN, ids.get(ids.size() - 1), pageSize);
        out.put("namespace", namespace);
        out.putObject("usage").put("read_units", 1);
        return new Answer(HttpStatus.OK, out);
    }

    private Answer update(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "update", "documents", "filter", "set_fields", "remove_fields");
        JsonNode setNode = body.get("set_fields");
        if (setNode != null && !setNode.isNull() && !setNode.isObject()) {
            throw ConiferException.invalid("set_fields must be an object of field names and values");
        }
        boolean sets = setNode instanceof ObjectNode o && !o.isEmpty();
        List<String> remove = DocumentsJson.strings(body, "remove_fields");
        boolean patches = sets || !remove.isEmpty();
        boolean byIds = present(body, "documents");
        boolean byFilter = present(body, "filter");
        if (byIds && (byFilter || patches)) {
            throw ConiferException.invalid("'documents' (per-id updates) and the by-filter fields ('filter', 'set_fields',"
                    + " 'remove_fields') are mutually exclusive in the document update request");
        }
        if (!byIds && !byFilter) {
            throw ConiferException.invalid("The document update request needs 'documents' (per-id updates) or a 'filter' with"
                    + " 'set_fields' and/or 'remove_fields'");
        }
        ObjectNode out = DocumentsJson.JSON.createObjectNode();
        if (byFilter) {
            if (!patches) {
                throw ConiferException.invalid("An update by 'filter' needs a non-empty 'set_fields' and/or 'remove_fields'");
            }
            Map<String, Object> filter = filter(body, "a filtered update");
            Map<String, Object> set = sets ? DocumentsJson.fields(index.schema(), (ObjectNode) setNode, Set.of(), "(set_fields)") : Map.of();
            Set<String> removed = removable(remove, set.keySet(), "set_fields and remove_fields");
            Written w = documents.updateByFilter(namespace, filter, set, removed);
            Lsn.written(w.requestLsn());
            out.put("matched_records", w.count());
            return new Answer(HttpStatus.ACCEPTED, out);
        }
        JsonNode docs = body.get("documents");
        if (!docs.isArray()) throw ConiferException.invalid("'documents' must be an array of 1 to 1000 document updates");
        Limits.count("document update", docs.size(), Limits.MAX_UPSERT_VECTORS);
        List<DocumentStore.DocumentPatch> patchesById = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            if (!(docs.get(i) instanceof ObjectNode doc)) throw ConiferException.invalid("documents[" + i + "] must be an object with an '_id'");
            String id = DocumentsJson.id(doc.get(DocumentsJson.ID), "documents[" + i + "]._id");
            Map<String, Object> set = DocumentsJson.fields(index.schema(), doc, Set.of(DocumentsJson.ID, DocumentsJson.REMOVE_FIELDS), id);
            Set<String> removed = removable(DocumentsJson.strings(doc, DocumentsJson.REMOVE_FIELDS), set.keySet(),
                    "the fields and _remove_fields of document '" + id + "'");
            patchesById.add(new DocumentStore.DocumentPatch(id, set, removed));
        }
        Lsn.written(documents.update(namespace, patchesById).requestLsn());
        return new Answer(HttpStatus.ACCEPTED, out);
    }

    /** Fields to remove: never {@code _id}, never a field the same patch sets. */
    private static Set<String> removable(List<String> remove, Set<String> set, String where) {
        Set<String> out = new LinkedHashSet<>(remove);
        if (out.contains(DocumentsJson.ID)) throw ConiferException.invalid("'_id' cannot be removed from a document");
        for (String f : out) {
            if (set.contains(f)) throw ConiferException.invalid("Field '" + f + "' is both set and removed in " + where);
        }
        return out;
    }

    private Answer delete(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "delete", "ids", "filter", "delete_all");
        JsonNode all = body.get("delete_all");
        if (all != null && !all.isNull() && !all.isBoolean()) throw ConiferException.invalid("delete_all must be true or false");
        boolean deleteAll = all != null && all.asBoolean(false);
        boolean byIds = present(body, "ids");
        boolean byFilter = present(body, "filter");
        if ((deleteAll ? 1 : 0) + (byIds ? 1 : 0) + (byFilter ? 1 : 0) != 1) {
            throw ConiferException.invalid("The document delete request needs exactly one of 'ids', 'filter' or 'delete_all': true");
        }
        ObjectNode out = DocumentsJson.JSON.createObjectNode();
        Written w;
        if (byIds) {
            w = documents.deleteIds(namespace, ids(body, "ids", Limits.MAX_DELETE_IDS));
        } else if (byFilter) {
            w = documents.deleteByFilter(namespace, filter(body, "a filtered delete"));
            out.put("matched_records", w.count());
        } else {
            w = documents.deleteAll(namespace);
        }
        Lsn.written(w.requestLsn());
        return new Answer(HttpStatus.ACCEPTED, out);
    }

    private Answer search(DocumentStore documents, String namespace, ObjectNode body) {
        known(body, "search", "score_by", "top_k", "filter", "include_fields");
        DocumentSearch search = SearchRequests.parse(index.schema(), body);
        DocumentsJson.Projection projection = DocumentsJson.Projection.forSearch(body.get("include_fields"));
        Read<List<ScoredDocument>> read = documents.search(namespace, search, projection.showsAny());
        Lsn.read(read.maxIndexedLsn());
        ObjectNode out = DocumentsJson.JSON.createObjectNode();
        ArrayNode matches = out.putArray("matches");
        for (ScoredDocument hit : read.result()) {
            ObjectNode m = DocumentsJson.render(hit.document(), projection);
            ObjectNode ordered = matches.addObject();
            ordered.put(DocumentsJson.ID, hit.document().id());
            if (Float.isFinite(hit.score())) ordered.put(DocumentsJson.SCORE, hit.score());
            else ordered.putNull(DocumentsJson.SCORE);
            m.remove(DocumentsJson.ID);
            ordered.setAll(m);
        }
        out.put("namespace", namespace);
        out.putObject("usage").put("read_units", 1);
        return new Answer(HttpStatus.OK, out);
    }

    /** Unknown request fields are refused, so a misspelt option ({@code topK}, {@code includeFields}) is not silently ignored. */
    private static void known(ObjectNode body, String operation, String... fields) {
        Set<String> allowed = Set.of(fields);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ConiferException.invalid("Unknown field '" + f + "' in the document " + operation + " request; its fields are "
                        + String.join(", ", fields));
            }
        }
    }

    private static boolean present(ObjectNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ConiferException.invalid(field + " must be a string, not " + DocumentsJson.kind(v));
        return v.textValue();
    }

    private static Integer limit(ObjectNode body, int max) {
        JsonNode v = body.get("limit");
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > max) {
            throw ConiferException.invalid("limit is " + v + "; it must be an integer between 1 and " + max);
        }
        return v.asInt();
    }

    private static List<String> ids(ObjectNode body, String field, int max) {
        List<String> ids = DocumentsJson.strings(body, field);
        Limits.count("document id", ids.size(), max);
        for (int i = 0; i < ids.size(); i++) DocumentsJson.id(body.get(field).get(i), field + "[" + i + "]");
        return ids;
    }

    /**
     * A non-empty filter as a map; the store translates it, refusing the text-match operators where an
     * update or delete selects on metadata alone.
     */
    private Map<String, Object> filter(ObjectNode body, String what) {
        JsonNode f = body.get("filter");
        if (!(f instanceof ObjectNode o) || o.isEmpty()) {
            throw ConiferException.invalid("filter must be a non-empty object; an empty filter is rejected rather than matching"
                    + " every document" + (what.contains("delete") ? " (to delete every document, send delete_all: true)" : ""));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = DocumentsJson.JSON.convertValue(o, Map.class);
        return map;
    }

    private static void next(ObjectNode out, String kind, String last, int pageSize) {
        out.putObject("pagination").put("next", PageToken.encode(kind, last, pageSize));
    }
}
