'use strict';
const ms = require('ms');
module.exports = (who) => `hello ${who} from a sibling workspace package (ms: ${ms(90000)})`;
