package io.quarkiverse.cmscache.sample.content;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.OrderColumn;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A site, reached through its endpoints: a host ({@code example.com}) or a host and a path prefix
 * ({@code example.com/blog}); the longest endpoint matching a request wins.
 */
@Entity
public class Site extends PanacheEntityBase {

    @Id
    public String id;

    public String name;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "site_endpoint")
    @OrderColumn
    @Column(name = "endpoint")
    public List<String> endpoints = new ArrayList<>();

    /** The languages pages are rendered in, the first being the default. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "site_language")
    @OrderColumn
    @Column(name = "language")
    public List<String> languages = new ArrayList<>();

    /** The alias of the page shown, with status 404, when no active page matches. */
    public String notFoundAlias;
}
