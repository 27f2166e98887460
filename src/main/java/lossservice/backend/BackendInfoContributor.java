package lossservice.backend;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** The {@code backend} entry of {@code /actuator/info}: what computes the losses, as {@code GET /v1/backend} says. */
@Component
class BackendInfoContributor implements InfoContributor {

    private final ActiveBackend activeBackend;

    BackendInfoContributor(ActiveBackend activeBackend) {
        this.activeBackend = activeBackend;
    }

    @Override
    public void contribute(Info.Builder builder) {
        BackendReport report = activeBackend.report();
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("name", report.backend());
        backend.put("requested", report.requested());
        backend.put("nd4jVersion", report.nd4jVersion());
        backend.put("dataType", report.dataType());
        builder.withDetail("backend", backend);
    }
}
