package io.quarkiverse.cmscache.sample.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks the editors' token of {@link EditorsOnly} endpoints. A sample's stand-in for real authentication.
 */
@Provider
@EditorsOnly
public class EditorsOnlyFilter implements ContainerRequestFilter {

    @ConfigProperty(name = "cms-sample.admin-token")
    String token;

    @Override
    public void filter(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.equals("Bearer " + token)) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
        }
    }
}
