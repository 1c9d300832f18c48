package io.quarkiverse.cmscache.sample.content;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The text of one handle in one language, placed with {@code {cms:t('handle')}} or {@code [[TRANSLATION_handle]]}.
 */
@Entity
@Table(uniqueConstraints = @UniqueConstraint(columnNames = { "siteId", "handle", "language" }))
public class Translation extends PanacheEntityBase {

    @Id
    @GeneratedValue
    public Long id;

    public String siteId;

    public String handle;

    public String language;

    @Column(length = 65535)
    public String text;
}
