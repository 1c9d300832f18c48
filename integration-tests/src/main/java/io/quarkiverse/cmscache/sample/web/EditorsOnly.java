package io.quarkiverse.cmscache.sample.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.ws.rs.NameBinding;

/**
 * Endpoints for editors: they require {@code Authorization: Bearer <cms-sample.admin-token>}. Those requests carry
 * credentials, so the CMS cache neither serves nor stores anything while handling them.
 */
@NameBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface EditorsOnly {
}
