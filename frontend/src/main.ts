import { mount } from "svelte";
import "./i18n"; // the language rune and <html lang>, before any text renders
import App from "./App.svelte";
import "./lib/theme.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
