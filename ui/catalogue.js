// catalogue.js — placeholder
