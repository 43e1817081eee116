package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupService;
import io.conifer.backup.BackupStatus;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** create_backup, describe_backup, list_index_backups, list_project_backups, delete_backup. */
@Blocking
public final class BackupsApi {
    private final BackupService backups;
    private final PageTokens tokens;

    public BackupsApi(BackupService backups, PageTokens tokens) {
        this.backups = backups;
        this.tokens = tokens;
    }

    @Post("/indexes/{index_name}/backups")
    public HttpResponse create(ServiceRequestContext ctx, @Param("index_name") String indexName, String body) throws IOException {
        ObjectNode req = JsonBody.parse(body);
        String name = JsonBody.string(req, "name", "");
        String description = JsonBody.string(req, "description", "");
        BackupManifest m = backups.create(ControlPlaneAuth.project(ctx), indexName, name, description);
        return IndexesApi.json(HttpStatus.CREATED, model(m));
    }

    @Get("/indexes/{index_name}/backups")
    public HttpResponse listForIndex(ServiceRequestContext ctx, @Param("index_name") String indexName,
            @Param("limit") Optional<String> limit, @Param("paginationToken") Optional<String> token) {
        String project = ControlPlaneAuth.project(ctx);
        return list(backups.list(project, indexName), "index-backups\u0000" + project + "\u0000" + indexName, limit, token);
    }

    @Get("/backups")
    public HttpResponse listForProject(ServiceRequestContext ctx, @Param("limit") Optional<String> limit,
            @Param("paginationToken") Optional<String> token) {
        String project = ControlPlaneAuth.project(ctx);
        return list(backups.list(project, null), "project-backups\u0000" + project, limit, token);
    }

    private HttpResponse list(List<BackupManifest> all, String scope, Optional<String> limit, Optional<String> token) {
        PageTokens.Page<BackupManifest> page = tokens.page(all, BackupService::sortKey, scope, limit.orElse(null), token.orElse(null));
        return IndexesApi.json(HttpStatus.OK, page.toJson(BackupsApi::model));
    }

    @Get("/backups/{backup_id}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("backup_id") String id) {
        return IndexesApi.json(HttpStatus.OK, model(backups.describe(ControlPlaneAuth.project(ctx), id)));
    }

    @Delete("/backups/{backup_id}")
    public HttpResponse delete(ServiceRequestContext ctx, @Param("backup_id") String id) throws IOException {
        backups.delete(ControlPlaneAuth.project(ctx), id);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.ACCEPTED));
    }

    /**
     * BackupModel of the 2025-10 spec, plus {@code failure_reason} on a Failed backup (the SDKs keep
     * or ignore fields the model does not name; see {@link RestoresApi#model}). A sparse index has no
     * dimension, so its backup has none either, as describe_index shows it.
     */
    static ObjectNode model(BackupManifest m) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("backup_id", m.backupId());
        n.put("source_index_name", m.sourceIndexName());
        n.put("source_index_id", m.sourceIndexId());
        if (m.name() != null) n.put("name", m.name());
        if (m.description() != null) n.put("description", m.description());
        n.put("status", m.status().name());
        if (m.status() == BackupStatus.Failed && m.failureReason() != null) n.put("failure_reason", m.failureReason());
        n.put("cloud", m.cloud());
        n.put("region", m.region());
        if (m.dimension() > 0) n.put("dimension", m.dimension());
        if (m.metric() != null) n.put("metric", m.metric());
        if (m.filterableFields() != null) {
            ObjectNode fields = n.putObject("schema").putObject("fields");
            for (String f : m.filterableFields()) fields.putObject(f).put("filterable", true);
        }
        n.put("record_count", m.recordCount());
        n.put("namespace_count", m.namespaceCount());
        if (m.status() == BackupStatus.Ready) n.put("size_bytes", m.sizeBytes());
        if (m.tags() != null && !m.tags().isEmpty()) {
            ObjectNode tags = n.putObject("tags");
            m.tags().forEach(tags::put);
        }
        n.put("created_at", m.createdAt());
        return n;
    }
}
