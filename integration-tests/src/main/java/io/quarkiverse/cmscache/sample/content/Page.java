package io.quarkiverse.cmscache.sample.content;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A page: its content (a Qute template) is rendered inside its template. The alias is matched against the request
 * path: exactly, with or without a leading slash, or as a pattern such as {@code /user/:num}.
 */
@Entity
public class Page extends PanacheEntityBase {

    @Id
    public String id;

    public String siteId;

    public String alias;

    public String title;

    @Column(length = 65535)
    public String content;

    public String templateId;

    @Enumerated(EnumType.STRING)
    public Status status = Status.DRAFT;

    public String metaDescription;
}
