package io.quarkiverse.cmscache.sample.content;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.OrderColumn;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A navigation menu: links to pages, labelled with the pages' titles.
 */
@Entity
public class Menu extends PanacheEntityBase {

    @Id
    public String id;

    public String siteId;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "menu_item")
    @OrderColumn
    public List<Item> items = new ArrayList<>();

    @Embeddable
    public static class Item {
        public String pageId;

        public Item() {
        }

        public Item(String pageId) {
            this.pageId = pageId;
        }
    }
}
