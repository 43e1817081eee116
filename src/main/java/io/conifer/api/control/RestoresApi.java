package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.restore.RestoreJob;
import io.conifer.restore.RestoreService;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** create_index_from_backup, list_restore_jobs, describe_restore_job. */
@Blocking
public final class RestoresApi {
    private final RestoreService restores;
    private final PageTokens tokens;

    public RestoresApi(RestoreService restores, PageTokens tokens) {
        this.restores = restores;
        this.tokens = tokens;
    }

    @Post("/backups/{backup_id}/create-index")
    public HttpResponse create(ServiceRequestContext ctx, @Param("backup_id") String backupId, String body) throws IOException {
        ObjectNode req = JsonBody.parse(body);
        String name = JsonBody.requiredString(req, "name", "");
        Map<String, String> tags = JsonBody.stringMap(req, "tags");
        Boolean protection = JsonBody.deletionProtection(req);
        RestoreService.Started started = restores.create(ControlPlaneAuth.project(ctx), backupId, name, tags, protection);
        ObjectNode out = JsonBody.JSON.createObjectNode();
        out.put("restore_job_id", started.restoreJobId());
        out.put("index_id", started.indexId());
        return IndexesApi.json(HttpStatus.ACCEPTED, out);
    }

    @Get("/restore-jobs")
    public HttpResponse list(ServiceRequestContext ctx, @Param("limit") Optional<String> limit,
            @Param("paginationToken") Optional<String> token) {
        String project = ControlPlaneAuth.project(ctx);
        PageTokens.Page<RestoreJob> page = tokens.page(restores.list(project), RestoreService::sortKey,
                "restore-jobs\u0000" + project, limit.orElse(null), token.orElse(null));
        return IndexesApi.json(HttpStatus.OK, page.toJson(RestoresApi::model));
    }

    @Get("/restore-jobs/{job_id}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("job_id") String jobId) {
        return IndexesApi.json(HttpStatus.OK, model(restores.describe(ControlPlaneAuth.project(ctx), jobId)));
    }

    /**
     * RestoreJobModel of the 2025-10 spec, plus {@code failure_reason} on a Failed job: the spec does
     * not close the model, and every official SDK keeps unknown fields (Java 6.1.0's generated model
     * has additionalProperties) or ignores them (TypeScript, Python).
     */
    static ObjectNode model(RestoreJob j) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("restore_job_id", j.restoreJobId());
        n.put("backup_id", j.backupId());
        n.put("target_index_name", j.targetIndexName());
        n.put("target_index_id", j.targetIndexId());
        n.put("status", j.status().name());
        n.put("created_at", j.createdAt());
        if (j.completedAt() != null) n.put("completed_at", j.completedAt());
        n.put("percent_complete", j.percentComplete());
        if (j.status() == RestoreJob.Status.Failed && j.failureReason() != null) n.put("failure_reason", j.failureReason());
        return n;
    }
}
