/* French for the scripts Flask-Admin 2.2 bundles in English only: bootstrap-daterangepicker 1.3 and
   moment 2.29 (its form.js passes no locale, tech-notes section 9), and select2 3.5 (the filters' lists).

   Loaded on French pages (templates/admin/custom_base.html) after moment.js and select2, before
   daterangepicker.js: it defines moment's French locale (days, months, Monday first), gives select2 French
   defaults, and catches $.fn.daterangepicker when daterangepicker.js defines it, so that every picker form.js
   and the filters open gets French labels and dd/mm/yyyy dates, "du … au …". The date filters read those
   dates (app/admin_views/filters.py, LocalDateTimeBetweenFilter). */
(function ($, moment) {
  'use strict';

  function plural(n, word) {
    return n + ' ' + word + (n > 1 ? 's' : '');  // French: 0 and 1 are singular
  }

  if ($.fn.select2) {
    $.extend($.fn.select2.defaults, {
      formatMatches: function (matches) {
        return plural(matches, 'résultat') + ', utilisez les flèches haut et bas pour naviguer.';
      },
      formatNoMatches: function () { return 'Aucun résultat'; },
      formatInputTooShort: function (input, min) {
        return 'Saisissez encore ' + plural(min - input.length, 'caractère') + '.';
      },
      formatInputTooLong: function (input, max) {
        return 'Supprimez ' + plural(input.length - max, 'caractère') + '.';
      },
      formatSelectionTooBig: function (limit) {
        return 'Vous ne pouvez sélectionner que ' + plural(limit, 'élément') + '.';
      },
      formatLoadMore: function () { return 'Chargement de résultats supplémentaires…'; },
      formatSearching: function () { return 'Recherche en cours…'; }
    });
  }

  moment.defineLocale('fr', {
    months: 'janvier_février_mars_avril_mai_juin_juillet_août_septembre_octobre_novembre_décembre'.split('_'),
    monthsShort: 'janv._févr._mars_avr._mai_juin_juil._août_sept._oct._nov._déc.'.split('_'),
    weekdays: 'dimanche_lundi_mardi_mercredi_jeudi_vendredi_samedi'.split('_'),
    weekdaysShort: 'dim._lun._mar._mer._jeu._ven._sam.'.split('_'),
    weekdaysMin: 'Di_Lu_Ma_Me_Je_Ve_Sa'.split('_'),
    longDateFormat: {
      LT: 'HH:mm', LTS: 'HH:mm:ss', L: 'DD/MM/YYYY', LL: 'D MMMM YYYY', LLL: 'D MMMM YYYY HH:mm',
      LLLL: 'dddd D MMMM YYYY HH:mm'
    },
    week: {dow: 1, doy: 4}
  });  // defineLocale also makes French the current locale

  var LOCALE = {
    applyLabel: 'Appliquer',
    cancelLabel: 'Annuler',
    fromLabel: 'Du',
    toLabel: 'Au',
    weekLabel: 'Sem.',
    customRangeLabel: 'Période personnalisée',
    daysOfWeek: moment.weekdaysMin(),
    monthNames: moment.months(),
    firstDay: 1
  };
  // The formats Flask-Admin's filters ask for, and their French equivalents.
  var FORMATS = {'YYYY-MM-DD': 'DD/MM/YYYY', 'YYYY-MM-DD HH:mm:ss': 'DD/MM/YYYY HH:mm', 'HH:mm:ss': 'HH:mm'};
  var SEPARATOR = ' au ';

  function french(options) {
    options = $.extend({}, options);
    options.locale = $.extend({}, LOCALE, options.locale);
    if (FORMATS[options.format]) {
      options.format = FORMATS[options.format];
    }
    if (options.separator === ' to ') {
      options.separator = SEPARATOR;
    }
    return options;
  }

  function wrap(picker) {
    var wrapped = function (options, callback) {
      return picker.call(this, french(options), callback);
    };
    wrapped.french = true;
    return wrapped;
  }

  var current = $.fn.daterangepicker ? wrap($.fn.daterangepicker) : undefined;
  Object.defineProperty($.fn, 'daterangepicker', {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (picker) { current = picker && !picker.french ? wrap(picker) : picker; }
  });
})(jQuery, moment);
