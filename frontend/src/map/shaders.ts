/** GLSL of the map: round points, and thumbnails as instanced quads from a texture atlas.
 *  Colours are premultiplied by alpha. */

export const POINT_VERTEX = `#version 300 es
in vec2 a_pos;
in vec4 a_color;
in float a_flag;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_view;
uniform float u_size;
uniform float u_dpr;
out vec4 v_color;
out float v_flag;
void main() {
  vec2 p = (a_pos - u_center) * u_scale;
  gl_Position = vec4(p * 2.0 / u_view, 0.0, 1.0);
  gl_PointSize = (u_size + a_flag * 4.0) * u_dpr;
  v_color = a_color;
  v_flag = a_flag;
}`;

export const POINT_FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_color;
in float v_flag;
out vec4 outColor;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r = dot(d, d);
  if (r > 1.0) discard;
  float alpha = v_color.a * (1.0 - smoothstep(0.7, 1.0, r));
  vec3 rgb = v_flag > 0.5 && r > 0.45 ? vec3(0.05, 0.08, 0.15) : v_color.rgb;
  outColor = vec4(rgb * alpha, alpha);
}`;

export const THUMB_VERTEX = `#version 300 es
in vec2 a_corner;
in vec3 a_inst;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_view;
uniform float u_thumb;
uniform float u_cells;
out vec2 v_uv;
void main() {
  vec2 p = (a_inst.xy - u_center) * u_scale + (a_corner - 0.5) * vec2(u_thumb, -u_thumb);
  gl_Position = vec4(p * 2.0 / u_view, 0.0, 1.0);
  float slot = a_inst.z;
  vec2 cell = vec2(mod(slot, u_cells), floor(slot / u_cells));
  v_uv = (cell + a_corner) / u_cells;
}`;

export const THUMB_FRAGMENT = `#version 300 es
precision mediump float;
in vec2 v_uv;
uniform sampler2D u_atlas;
out vec4 outColor;
void main() {
  vec4 c = texture(u_atlas, v_uv);
  if (c.a < 0.02) discard;
  outColor = vec4(c.rgb * c.a, c.a);
}`;

/** The world outline under the places layout: thin lines of one colour. */
export const LINE_VERTEX = `#version 300 es
in vec2 a_pos;
uniform vec2 u_center;
uniform float u_scale;
uniform vec2 u_view;
void main() {
  vec2 p = (a_pos - u_center) * u_scale;
  gl_Position = vec4(p * 2.0 / u_view, 0.0, 1.0);
}`;

export const LINE_FRAGMENT = `#version 300 es
precision mediump float;
uniform vec4 u_color;
out vec4 outColor;
void main() {
  outColor = u_color;
}`;
