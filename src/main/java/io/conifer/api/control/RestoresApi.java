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
        ControlDialect.RestoreRequest req = ControlPlaneAuth.dialect(ctx).restoreRequest(JsonBody.parse(body));
        RestoreService.Started started = restores.create(ControlPlaneAuth.project(ctx), backupId, req.name(), req.tags(),
                req.deletionProtection(), req.readCapacity());
        ObjectNode out = JsonBody.JSON.createObjectNode();
        out.put("restore_job_id", started.restoreJobId());
        out.put("index_id", started.indexId());
        return IndexesApi.json(HttpStatus.ACCEPTED, out);
    }

    @Get("/restore-jobs")
    public HttpResponse list(ServiceRequestContext ctx, @Param("limit") Optional<String> limit,
            @Param("paginationToken") Optional<String> token) {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        String project = ControlPlaneAuth.project(ctx);
        PageTokens.Page<RestoreJob> page = tokens.page(restores.list(project), RestoreService::sortKey,
                "restore-jobs\u0000" + project, limit.orElse(null), token.orElse(null), dialect.defaultPageSize());
        return IndexesApi.json(HttpStatus.OK, page.toJson(dialect::restoreJob));
    }

    @Get("/restore-jobs/{job_id}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("job_id") String jobId) {
        return IndexesApi.json(HttpStatus.OK, ControlPlaneAuth.dialect(ctx).restoreJob(
                restores.describe(ControlPlaneAuth.project(ctx), jobId)));
    }
}
