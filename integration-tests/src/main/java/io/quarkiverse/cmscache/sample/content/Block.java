package io.quarkiverse.cmscache.sample.content;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A reusable piece of HTML, such as a header, a footer or a promotion, placed in templates and pages with
 * {@code {cms:block('id')}} or {@code [[BLOCK_id]]}.
 */
@Entity
public class Block extends PanacheEntityBase {

    @Id
    public String id;

    public String siteId;

    public String name;

    @Column(length = 65535)
    public String content;

    @Enumerated(EnumType.STRING)
    public Status status = Status.DRAFT;
}
