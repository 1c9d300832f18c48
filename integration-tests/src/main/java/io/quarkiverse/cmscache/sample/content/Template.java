package io.quarkiverse.cmscache.sample.content;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A page layout: a Qute template (or one written with the Go CMS Store's {@code [[...]]} placeholders) in which
 * {@code {content}} is the page's rendered content.
 */
@Entity
public class Template extends PanacheEntityBase {

    @Id
    public String id;

    public String siteId;

    public String name;

    @Column(length = 65535)
    public String content;

    @Enumerated(EnumType.STRING)
    public Status status = Status.DRAFT;
}
