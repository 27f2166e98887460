package lossservice.problem;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Answers the servlet container's error dispatches (errors raised outside Spring MVC, in filters or in
 * Tomcat itself) with problem+json instead of Boot's default error body. The path is not a resource of the service:
 * a client asking for it directly gets a 404.
 */
@Hidden
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<Object> error(HttpServletRequest request) throws NoResourceFoundException {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            // Asked for by a client: there is no such resource (not an error of the service to report).
            throw new NoResourceFoundException(HttpMethod.valueOf(request.getMethod()), request.getRequestURI(),
                    request.getRequestURI());
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : 500;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String instance = uri instanceof String path ? path : null;
        ProblemType type = ProblemType.forStatus(status);
        String detail = status >= 500 ? "The service failed to handle the request." : "The request was rejected.";
        return ProblemDetails.response(ProblemDetails.of(type, HttpStatusCode.valueOf(status), detail, instance),
                HttpHeaders.EMPTY);
    }
}
